package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The shipped deployment files configure a Portcullis that starts: every key and variable is known and valid. */
class DeploymentFilesTest {
  @Test
  void kubernetesConfigAndDockerfileVariables_loadAsSettings(@TempDir Path dir) throws Exception {
    Load yaml = new Load(LoadSettings.builder().build());
    @SuppressWarnings("unchecked")
    Map<String, Object> configMap = (Map<String, Object>) yaml.loadFromString(
        Files.readString(Path.of("deploy/kubernetes/configmap.yaml")));
    @SuppressWarnings("unchecked")
    String config = ((Map<String, String>) configMap.get("data")).get("config.yaml");
    Path file = Files.writeString(dir.resolve("config.yaml"), config);

    Map<String, String> env = new HashMap<>();
    Matcher m = Pattern.compile("(PORTCULLIS_[A-Z_]+)=(\\S+)").matcher(Files.readString(Path.of("Dockerfile")));
    while (m.find()) {
      env.put(m.group(1), m.group(2));
    }
    assertThat(env).containsKeys("PORTCULLIS_LISTEN", "PORTCULLIS_ADMIN_LISTEN", "PORTCULLIS_DATA_DIR");
    env.put("PORTCULLIS_CONFIG", file.toString());
    env.put("PORTCULLIS_STORE_URL", "postgresql://portcullis:secret@postgres.db.svc:5432/portcullis?sslmode=verify-full");
    env.put("PORTCULLIS_MASTER_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

    Settings s = ConfigLoader.load(Optional.of(file), env, Map.of());

    assertThat(s.storeUrl()).contains(env.get("PORTCULLIS_STORE_URL"));
    assertThat(s.storeMaxStaleness()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.demoEnabled()).isFalse();
    assertThat(s.assertion().masterKey()).isPresent();
    String deployment = Files.readString(Path.of("deploy/kubernetes/deployment.yaml"));
    for (String variable : List.of("PORTCULLIS_CONFIG", "PORTCULLIS_STORE_URL", "PORTCULLIS_MASTER_KEY")) {
      assertThat(deployment).contains("name: " + variable);
    }
    assertThat(deployment).contains("enableServiceLinks: false");
  }
}
