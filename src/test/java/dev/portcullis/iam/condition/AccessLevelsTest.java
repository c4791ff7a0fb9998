package dev.portcullis.iam.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.service.FieldError;
import dev.portcullis.service.ValidationException;
import dev.portcullis.store.AccessLevelRepository;
import dev.portcullis.store.ConflictException;
import dev.portcullis.store.Database;
import dev.portcullis.store.NotFoundException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLevelsTest {
  static final Instant NOON = Instant.parse("2026-06-01T12:00:00Z");

  Database db;
  AccessLevels levels;

  @BeforeEach
  void open(@TempDir Path dir) {
    db = Database.openSqlite(dir.resolve("store.db"));
    levels = new AccessLevels(new AccessLevelRepository(db, Clock.systemUTC()));
  }

  @AfterEach
  void close() {
    db.close();
  }

  static AccessLevel ips(String name, String... cidrs) {
    return AccessLevel.of("accessLevels/" + name, "IPs", "", List.of(cidrs), null);
  }

  static AccessLevel expression(String name, String expression) {
    return AccessLevel.of("accessLevels/" + name, "Expr", "", List.of(), expression);
  }

  static List<FieldError> refusal(Runnable write) {
    try {
      write.run();
    } catch (ValidationException e) {
      return e.errors();
    }
    throw new AssertionError("accepted");
  }

  List<String> satisfied(String clientIp) {
    return levels.snapshot().satisfied("dash.example.com", "/admin", "GET", NOON, clientIp);
  }

  @Test
  void ipLevel_isSatisfiedWhenTheClientIsInABlock_v4AndV6() {
    levels.create(ips("corp", "10.0.0.0/8", "2001:db8::/32"));

    assertThat(satisfied("10.20.30.40")).containsExactly("accessLevels/corp");
    assertThat(satisfied("2001:db8::7")).containsExactly("accessLevels/corp");
    assertThat(satisfied("192.168.1.1")).isEmpty();
    assertThat(satisfied("::ffff:10.1.1.1")).containsExactly("accessLevels/corp");
  }

  @Test
  void ipLevel_isNotSatisfiedWithoutAClientAddress() {
    levels.create(ips("corp", "0.0.0.0/0"));

    assertThat(satisfied(null)).isEmpty();
    assertThat(satisfied("not-an-ip")).isEmpty();
  }

  @Test
  void expressionLevel_isSatisfiedWhenTrue() {
    levels.create(expression("admin_paths", "request.path.startsWith('/admin') && request.method == 'GET'"));
    levels.create(expression("office_hours", "request.time.getHours('Europe/Berlin') < 9"));

    assertThat(satisfied("10.0.0.1")).containsExactly("accessLevels/admin_paths");
  }

  @Test
  void expressionLevel_thatFailsAtRunTime_isNotSatisfied() {
    levels.create(expression("lan", "inIpRange(request.client_ip, '192.168.0.0/16')"));

    assertThat(satisfied("192.168.4.4")).containsExactly("accessLevels/lan");
    assertThat(satisfied(null)).isEmpty();
  }

  @Test
  void satisfied_listsEveryLevelMetInNameOrder() {
    levels.create(ips("zeta", "10.0.0.0/8"));
    levels.create(ips("alpha", "10.1.0.0/16"));

    assertThat(satisfied("10.1.2.3")).containsExactly("accessLevels/alpha", "accessLevels/zeta");
  }

  @Test
  void create_refusesHostBits_namingTheEntry() {
    List<FieldError> errors = refusal(() -> levels.create(ips("corp", "10.0.0.0/8", "192.168.1.1/24")));

    assertThat(errors).extracting(FieldError::field).containsExactly("ipSubnetworks[1]");
    assertThat(errors.get(0).message()).contains("host bits").contains("192.168.1.0/24");
  }

  @Test
  void create_refusesMalformedAndDuplicateBlocks() {
    List<FieldError> errors = refusal(() -> levels.create(ips("corp", "10.0.0.0/8", "10.0.0.0/8", "10.0.0.1",
        "example.com/8")));

    assertThat(errors).extracting(FieldError::field)
        .containsExactly("ipSubnetworks[1]", "ipSubnetworks[2]", "ipSubnetworks[3]");
    assertThat(errors.get(1).message()).contains("10.0.0.1/32");
  }

  @Test
  void create_refusesBadNames() {
    for (String bad : List.of("Corp", "1corp", "corp-net", "", "a".repeat(64), "x/y")) {
      List<FieldError> errors = refusal(() -> levels.create(ips(bad, "10.0.0.0/8")));
      assertThat(errors).as(bad).extracting(FieldError::field).containsExactly("name");
    }
    assertThat(levels.create(ips("a" + "b".repeat(62), "10.0.0.0/8")).name()).hasSize(13 + 63);
    assertThat(refusal(() -> levels.create(AccessLevel.of("corp", "", "", List.of("10.0.0.0/8"), null))))
        .extracting(FieldError::field).containsExactly("name");
  }

  @Test
  void create_refusesBothKindsOrNeither() {
    assertThat(refusal(() -> levels.create(AccessLevel.of("accessLevels/x", "", "", List.of("10.0.0.0/8"),
        "true")))).extracting(FieldError::field).containsExactly("expression");
    assertThat(refusal(() -> levels.create(AccessLevel.of("accessLevels/x", "", "", List.of(), null))))
        .extracting(FieldError::field).containsExactly("ipSubnetworks");
  }

  @Test
  void create_refusesAnExpressionThatDoesNotCompile_withItsPosition() {
    List<FieldError> errors = refusal(() -> levels.create(expression("x", "request.methd == 'GET'")));

    assertThat(errors).extracting(FieldError::field).containsExactly("expression");
    assertThat(errors.get(0).message()).startsWith("line 1, column 1: undeclared reference to 'request.methd'");
  }

  @Test
  void create_refusesAnExpressionOverAccessLevels() {
    List<FieldError> errors = refusal(() -> levels.create(expression("x",
        "'accessLevels/corp' in request.auth.access_levels")));

    assertThat(errors.get(0).message()).contains("request.auth.access_levels cannot be used");
  }

  @Test
  void create_refusesAnExistingName() {
    levels.create(ips("corp", "10.0.0.0/8"));

    assertThatThrownBy(() -> levels.create(ips("corp", "11.0.0.0/8"))).isInstanceOf(ConflictException.class);
  }

  @Test
  void writes_notifyListenersBeforeReturning() {
    List<AccessLevelSnapshot> seen = new ArrayList<>();
    levels.onChange(seen::add);

    AccessLevel created = levels.create(ips("corp", "10.0.0.0/8"));

    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).get("corp")).contains(created);
    assertThat(seen.get(1)).isSameAs(levels.snapshot());
  }

  @Test
  void patch_withStaleVersion_isAConflict_andWithCurrentVersion_switchesKind() {
    AccessLevel v1 = levels.create(ips("corp", "10.0.0.0/8"));
    AccessLevel v2 = levels.patch("corp", l -> new AccessLevel(l.name(), "Corporate", l.description(),
        List.of("172.16.0.0/12"), null, l.version(), l.updateTime()), Optional.of(v1.version()));

    assertThatThrownBy(() -> levels.patch("corp", l -> l, Optional.of(v1.version())))
        .isInstanceOf(ConflictException.class).hasMessageContaining("etag mismatch");
    AccessLevel v3 = levels.patch("accessLevels/corp", l -> new AccessLevel(l.name(), l.title(), l.description(),
        List.of(), "request.host == 'dash.example.com'", l.version(), l.updateTime()), Optional.of(v2.version()));

    assertThat(v2.version()).isEqualTo(2);
    assertThat(v3.version()).isEqualTo(3);
    assertThat(levels.get("corp")).contains(v3);
    assertThat(satisfied("1.2.3.4")).containsExactly("accessLevels/corp");
  }

  @Test
  void delete_removesFromTheSnapshot_andChecksTheVersion() {
    AccessLevel created = levels.create(ips("corp", "10.0.0.0/8"));

    assertThatThrownBy(() -> levels.delete("corp", Optional.of(7L))).isInstanceOf(ConflictException.class);
    levels.delete("corp", Optional.of(created.version()));

    assertThat(satisfied("10.0.0.1")).isEmpty();
    assertThat(levels.snapshot().get("corp")).isEmpty();
    assertThatThrownBy(() -> levels.delete("corp", Optional.empty())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void snapshot_isRebuiltFromTheStoreOnStart() {
    levels.create(ips("corp", "10.0.0.0/8"));

    AccessLevels reopened = new AccessLevels(new AccessLevelRepository(db, Clock.systemUTC()));

    assertThat(reopened.snapshot().all()).extracting(AccessLevel::name).containsExactly("accessLevels/corp");
    assertThat(reopened.snapshot().satisfied("h", "/", "GET", NOON, "10.9.9.9")).containsExactly("accessLevels/corp");
  }
}
