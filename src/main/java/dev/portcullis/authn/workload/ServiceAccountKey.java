package dev.portcullis.authn.workload;

import com.nimbusds.jose.jwk.RSAKey;
import java.time.Instant;

/** The public half of one service account key: its id (the JWT's {@code kid}), its account, when it was made. */
public record ServiceAccountKey(String keyId, String accountEmail, RSAKey publicKey, Instant createTime) {}
