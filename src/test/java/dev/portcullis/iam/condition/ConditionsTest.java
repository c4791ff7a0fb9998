package dev.portcullis.iam.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  static final Instant MONDAY_0830_UTC = Instant.parse("2026-06-01T08:30:00Z");

  static RequestAttributes request() {
    return new RequestAttributes("dash.example.com", "/admin/users", "GET", MONDAY_0830_UTC, "10.1.2.3",
        List.of("accessLevels/corp"));
  }

  static RequestAttributes request(String clientIp) {
    RequestAttributes r = request();
    return new RequestAttributes(r.host(), r.path(), r.method(), r.time(), clientIp, r.accessLevels());
  }

  static boolean eval(String expression, RequestAttributes r) throws ConditionException {
    Evaluation e = Conditions.compile(expression).evaluate(r);
    assertThat(e.error()).as(expression).isEmpty();
    return e.value();
  }

  static boolean eval(String expression) throws ConditionException {
    return eval(expression, request());
  }

  static ConditionException refused(String expression) {
    try {
      Conditions.compile(expression);
    } catch (ConditionException e) {
      return e;
    }
    throw new AssertionError("compiled: " + expression);
  }

  // Compile errors, with their positions

  @Test
  void compile_refusesTypoInAttribute_namingTheWholeReferenceAndItsPosition() {
    ConditionException e = refused("request.host != '' && request.pathh.startsWith('/admin')");

    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(23);
    assertThat(e.getMessage()).startsWith("line 1, column 23: undeclared reference to 'request.pathh'")
        .contains("did you mean 'request.path'?");
  }

  @Test
  void compile_refusesTypoOnALaterLine() {
    ConditionException e = refused("request.path == '/'\n  || request.auth.acess_levels.size() > 0");

    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(6);
    assertThat(e.getMessage()).contains("'request.auth.acess_levels'").contains("request.auth.access_levels");
  }

  @Test
  void compile_refusesSyntaxError_withItsPosition() {
    ConditionException e = refused("request.path ==");

    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(16);
    assertThat(e.getMessage()).startsWith("line 1, column 16: ");
  }

  @Test
  void compile_refusesNonBoolResult() {
    ConditionException e = refused("request.path");

    assertThat(e.getMessage()).contains("must be of type bool").contains("string");
    assertThat(e.line()).isEqualTo(1);
  }

  @Test
  void compile_refusesUnknownFunction() {
    ConditionException e = refused("isAdmin(request.path)");

    assertThat(e.getMessage()).isEqualTo("line 1, column 8: undeclared reference to 'isAdmin'");
  }

  @Test
  void compile_refusesWrongArgumentTypes() {
    assertThat(refused("inIpRange(request.client_ip, 8)").getMessage()).contains("inIpRange");
  }

  @Test
  void compile_refusesMalformedCidrLiteral() {
    ConditionException e = refused("inIpRange(request.client_ip, '10.0.0.0/33')");

    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isEqualTo(30);
    assertThat(e.getMessage()).contains("inIpRange").contains("'10.0.0.0/33' is not a CIDR block");
  }

  @Test
  void compile_refusesCidrLiteralWithHostBits_namingTheNetwork() {
    assertThat(refused("inIpRange(request.client_ip, '10.1.2.3/8')").getMessage())
        .contains("host bits").contains("10.0.0.0/8");
  }

  @Test
  void compile_refusesBadTimestampAndZoneLiterals() {
    assertThat(refused("request.time < timestamp('2026-12-01')").getMessage())
        .startsWith("line 1, column 26: timestamp:");
    assertThat(refused("request.time.getHours('Mars/Olympus') > 9").getMessage())
        .contains("getHours").contains("time zone");
    assertThat(refused("request.time < request.time + duration('one day')").getMessage()).contains("duration");
  }

  @Test
  void compile_refusesEmptyAndTooLong() {
    assertThat(refused("  ").getMessage()).contains("empty");
    assertThat(refused("  ").line()).isZero();
    String tooLong = "request.path == '" + "a".repeat(Conditions.MAX_LENGTH) + "'";
    assertThat(refused(tooLong).getMessage()).contains("limit is " + Conditions.MAX_LENGTH);
    assertThat(refused(tooLong).column()).isZero();
  }

  @Test
  void compile_refusesBareRequest() {
    assertThat(refused("request == 1").getMessage()).contains("undeclared reference to 'request'")
        .contains("the attributes are request.host, request.path");
  }

  @Test
  void compile_cachesByExpressionText() throws Exception {
    assertThat(Conditions.compile("request.method == 'GET'")).isSameAs(Conditions.compile("request.method == 'GET'"));
  }

  // Evaluation over each attribute

  @Test
  void path_startsWith() throws Exception {
    assertThat(eval("request.path.startsWith('/admin/')")).isTrue();
    assertThat(eval("request.path.startsWith('/public/')")).isFalse();
  }

  @Test
  void host_endsWith() throws Exception {
    assertThat(eval("request.host.endsWith('.example.com')")).isTrue();
    assertThat(eval("request.host.endsWith('.example.org')")).isFalse();
    assertThat(eval("request.host == 'dash.example.com'")).isTrue();
  }

  @Test
  void method() throws Exception {
    assertThat(eval("request.method == 'GET'")).isTrue();
    assertThat(eval("request.method in ['POST', 'PUT']")).isFalse();
  }

  @Test
  void time_beforeAndAfter() throws Exception {
    assertThat(eval("request.time < timestamp('2026-12-01T00:00:00Z')")).isTrue();
    assertThat(eval("request.time > timestamp('2026-12-01T00:00:00Z')")).isFalse();
    assertThat(eval("request.time >= timestamp('2026-06-01T08:30:00+00:00')")).isTrue();
    assertThat(eval("request.time < timestamp('2026-06-01T08:00:00Z') + duration('1h')")).isTrue();
  }

  @Test
  void time_hoursAndWeekdayInAZone() throws Exception {
    // 08:30 UTC on a Monday is 10:30 in Berlin (summer time).
    assertThat(eval("request.time.getHours('Europe/Berlin') == 10")).isTrue();
    assertThat(eval("request.time.getHours() == 8")).isTrue();
    assertThat(eval("request.time.getDayOfWeek('Europe/Berlin') == 1")).isTrue();
    assertThat(eval("request.time.getDayOfWeek('Europe/Berlin') in [0, 6]")).isFalse();
    assertThat(eval("request.time.getHours('America/New_York') >= 9")).isFalse();
  }

  @Test
  void accessLevelMembership() throws Exception {
    assertThat(eval("'accessLevels/corp' in request.auth.access_levels")).isTrue();
    assertThat(eval("'accessLevels/vpn' in request.auth.access_levels")).isFalse();
  }

  @Test
  void inIpRange_v4() throws Exception {
    assertThat(eval("inIpRange(request.client_ip, '10.0.0.0/8')")).isTrue();
    assertThat(eval("inIpRange(request.client_ip, '192.168.0.0/16')")).isFalse();
    assertThat(eval("inIpRange(request.client_ip, '10.0.0.0/8')", request("::ffff:10.9.9.9"))).isTrue();
  }

  @Test
  void inIpRange_v6() throws Exception {
    assertThat(eval("inIpRange(request.client_ip, '2001:db8::/32')", request("2001:db8::1"))).isTrue();
    assertThat(eval("inIpRange(request.client_ip, '2001:db8::/32')", request("2001:db9::1"))).isFalse();
    assertThat(eval("inIpRange(request.client_ip, '2001:db8::/32')")).isFalse();
  }

  @Test
  void inIpRange_isFalseForAnythingNotAnAddressOrBlock() throws Exception {
    assertThat(eval("inIpRange(request.host, '10.0.0.0/8')")).isFalse();
    assertThat(eval("inIpRange(request.client_ip, request.path)")).isFalse();
  }

  // Run-time errors count as false

  @Test
  void runtimeError_missingClientIp_isFalseWithMessage() throws Exception {
    Evaluation e = Conditions.compile("!inIpRange(request.client_ip, '10.0.0.0/8')").evaluate(request(null));

    assertThat(e.value()).isFalse();
    assertThat(e.error()).hasValueSatisfying(m -> assertThat(m)
        .isEqualTo("line 1, column 12: request.client_ip has no value in this request"));
  }

  @Test
  void runtimeError_badConversion_isFalseWithMessage() throws Exception {
    Evaluation e = Conditions.compile("request.path == '/' || int('x') == 1").evaluate(request());

    assertThat(e.value()).isFalse();
    assertThat(e.error()).hasValueSatisfying(m -> assertThat(m).startsWith("line 1, column 27: ").contains("x"));
  }

  @Test
  void runtimeError_notFalseWhenShortCircuited() throws Exception {
    Evaluation e = Conditions.compile("request.path.startsWith('/admin') || int('x') == 1").evaluate(request());

    assertThat(e).isEqualTo(new Evaluation(true, java.util.Optional.empty()));
  }

  @Test
  void runtimeError_noSuchIndex_isFalse() throws Exception {
    Evaluation e = Conditions.compile("request.auth.access_levels[3] == 'x'").evaluate(request());

    assertThat(e.value()).isFalse();
    assertThat(e.error()).isPresent();
  }

  // What the troubleshooter shows

  @Test
  void referencedValues_listsExactlyTheAttributesUsed() throws Exception {
    CompiledCondition c = Conditions.compile(
        "request.time < timestamp('2030-01-01T00:00:00Z') && request.path.startsWith('/admin')");

    assertThat(c.referencedValues(request())).containsExactly(
        Map.entry("request.path", "/admin/users"), Map.entry("request.time", "2026-06-01T08:30:00Z"));
  }

  @Test
  void referencedValues_showsUnknownClientIpAsNullAndListsAccessLevels() throws Exception {
    CompiledCondition c = Conditions.compile(
        "'accessLevels/corp' in request.auth.access_levels || inIpRange(request.client_ip, '10.0.0.0/8')");

    Map<String, Object> values = c.referencedValues(request(null));

    assertThat(values).containsOnlyKeys("request.client_ip", "request.auth.access_levels");
    assertThat(values.get("request.client_ip")).isNull();
    assertThat(values.get("request.auth.access_levels")).isEqualTo(List.of("accessLevels/corp"));
  }

  @Test
  void referencedValues_isEmptyForAConstantExpression() throws Exception {
    assertThat(Conditions.compile("true").referencedValues(request())).isEmpty();
  }

  // Access levels' own expressions

  @Test
  void accessLevelExpression_cannotReadAccessLevels() {
    assertThatThrownBy(() -> Conditions.compileAccessLevel("'x' in request.auth.access_levels"))
        .isInstanceOf(ConditionException.class)
        .hasMessageContaining("request.auth.access_levels cannot be used in an access level's expression");
  }
}
