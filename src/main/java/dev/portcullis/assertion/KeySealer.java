package dev.portcullis.assertion;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import dev.portcullis.config.MasterKey;
import java.text.ParseException;

/**
 * Seals a private signing key for the store and opens it again: the private JWK as a compact JWE with
 * {@code dir} and A256GCM under the master key. The key id sits in the protected header, which GCM
 * authenticates, so a sealed key copied onto another key's row does not open.
 */
final class KeySealer {
  private final MasterKey masterKey;

  KeySealer(MasterKey masterKey) {
    this.masterKey = masterKey;
  }

  String seal(ECKey privateKey) {
    try {
      JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
          .keyID(privateKey.getKeyID()).build(), new Payload(privateKey.toJSONString()));
      jwe.encrypt(new DirectEncrypter(masterKey.secretKey()));
      return jwe.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("sealing a signing key failed: " + e.getMessage(), e);
    }
  }

  /** The private key stored for {@code kid}; throws {@link UnsealException} when it does not open. */
  ECKey open(String kid, String sealed) {
    try {
      JWEObject jwe = JWEObject.parse(sealed);
      if (!kid.equals(jwe.getHeader().getKeyID())) {
        throw new UnsealException(kid, "it was sealed for another key id");
      }
      jwe.decrypt(new DirectDecrypter(masterKey.secretKey()));
      ECKey key = ECKey.parse(jwe.getPayload().toString());
      if (!kid.equals(key.getKeyID()) || !key.isPrivate()) {
        throw new UnsealException(kid, "it does not hold the private key of that id");
      }
      return key;
    } catch (ParseException e) {
      throw new UnsealException(kid, "it is not a sealed key");
    } catch (JOSEException e) {
      throw new UnsealException(kid, "it does not open with this master key");
    }
  }

  /** A stored key that cannot be opened: the wrong master key, or a damaged row. Its message holds no secret. */
  static final class UnsealException extends RuntimeException {
    UnsealException(String kid, String why) {
      super("signing key " + kid + " in the store cannot be used: " + why + ". Start with the master key the keys "
          + "were sealed with (keys.master_key_file, PORTCULLIS_MASTER_KEY, or the file master-key in the data "
          + "directory)");
    }
  }
}
