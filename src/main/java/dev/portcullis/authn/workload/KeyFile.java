package dev.portcullis.authn.workload;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.directory.ServiceAccount;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A service account key file, in Google's shape ({@code type}, {@code project_id}, {@code private_key_id},
 * {@code private_key} as PKCS#8 PEM, {@code client_email}) plus a {@code portcullis} object saying what
 * audience to sign for. It is the only copy of the private key: Portcullis keeps the public half.
 * {@link #sign} makes the JWT IAP accepts from a service account.
 */
public record KeyFile(String projectId, String keyId, String clientEmail, RSAKey key, Instant createTime) {
  public static final String TYPE = "service_account";
  /** IAP's limit, and ours: {@code exp} at most this long after {@code iat}. */
  public static final Duration MAX_LIFETIME = Duration.ofHours(1);

  static KeyFile of(ServiceAccount sa, RSAKey pair, Instant createTime) {
    return new KeyFile(sa.project(), pair.getKeyID(), sa.email(), pair, createTime);
  }

  /** The JSON to hand to the caller; {@code audienceHint} says which URL to put in {@code aud}. */
  public JsonObject toJson(String audienceHint) {
    String pem;
    try {
      pem = pem(key.toRSAPrivateKey().getEncoded());
    } catch (JOSEException e) {
      throw new IllegalStateException("the key has no private half", e);
    }
    return new JsonObject()
        .put("type", TYPE)
        .put("project_id", projectId)
        .put("private_key_id", keyId)
        .put("private_key", pem)
        .put("client_email", clientEmail)
        .put("create_time", createTime.toString())
        .put("portcullis", new JsonObject().put("audience", audienceHint)
            .put("jwt", "RS256, kid = private_key_id, iss = sub = client_email, aud = the URL called, "
                + "exp at most 1 hour after iat"));
  }

  /** Reads a key file; IllegalArgumentException with what is wrong (never the key itself). */
  public static KeyFile parse(String json) {
    JsonObject o;
    try {
      o = new JsonObject(json);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("not a JSON key file");
    }
    if (!TYPE.equals(o.getValue("type"))) {
      throw new IllegalArgumentException("not a service account key file (type is not \"service_account\")");
    }
    String keyId = text(o, "private_key_id");
    String email = text(o, "client_email");
    String pem = text(o, "private_key");
    String b64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
        .replaceAll("\\s", "");
    try {
      KeyFactory rsa = KeyFactory.getInstance("RSA");
      RSAPrivateCrtKey priv = (RSAPrivateCrtKey) rsa.generatePrivate(
          new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
      RSAPublicKey pub = (RSAPublicKey) rsa.generatePublic(
          new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
      RSAKey key = new RSAKey.Builder(pub).privateKey(priv).keyID(keyId).algorithm(JWSAlgorithm.RS256).build();
      return new KeyFile(o.getString("project_id", ""), keyId, email, key, Instant.EPOCH);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("private_key is not a PEM-encoded PKCS#8 RSA private key");
    }
  }

  /** A JWT as IAP wants it from a service account: RS256, this key's kid, iss = sub = the account, aud. */
  public String sign(String audience, Instant issuedAt, Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException("the lifetime must be more than 0 and at most 1 hour");
    }
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(clientEmail)
        .subject(clientEmail)
        .audience(audience)
        .issueTime(Date.from(issuedAt))
        .expirationTime(Date.from(issuedAt.plus(lifetime)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).type(JOSEObjectType.JWT)
        .build(), claims);
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  private static String text(JsonObject o, String field) {
    if (!(o.getValue(field) instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("the key file has no " + field);
    }
    return s;
  }

  private static String pem(byte[] der) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  @Override
  public String toString() {
    return "KeyFile[" + clientEmail + ", " + keyId + ", private key hidden]";
  }
}
