package dev.portcullis.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.directory.MemberName.Kind;
import dev.portcullis.directory.MemberName.Parsed;
import dev.portcullis.service.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemberNameTest {

  @Test
  void parse_acceptsTheThreeKinds_andLowerCasesTheEmail() {
    assertThat(MemberName.parse("user:Ana@Example.COM")).contains(new MemberName(Kind.USER, "ana@example.com"));
    assertThat(MemberName.parse("serviceAccount:ci-deploy@default.iam.portcullis.internal").orElseThrow().canonical())
        .isEqualTo("serviceAccount:ci-deploy@default.iam.portcullis.internal");
    assertThat(MemberName.parse("group:Eng@Example.com").orElseThrow().toString()).isEqualTo("group:eng@example.com");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "user:a@@example.com            | more than one '@'",
      "user:a@b@example.com           | more than one '@'",
      "user:ana @example.com          | contains a space",
      "' user:ana@example.com'        | contains a space",
      "user:@example.com              | nothing before the '@'",
      "user:ana                       | has no '@'",
      "user:ana@example               | domain",
      "user:ana@exa_mple.com          | domain",
      "user:\"ana\"@example.com       | not allowed before the '@'",
      "robot:ana@example.com          | unknown kind 'robot:'",
      "User:ana@example.com           | write it 'user:'",
      "serviceaccount:x@example.com   | write it 'serviceAccount:'",
      "ana@example.com                | has no kind; write user:ana@example.com",
      "allUsers                       | has no kind",
      "domain:example.com             | unknown kind 'domain:'",
      "user:                          | is empty",
  })
  void parse_refusesMalformed_withAReasonThatQuotesIt(String raw, String reason) {
    Parsed parsed = MemberName.parseOrExplain(raw);

    assertThat(parsed).isInstanceOf(Parsed.Invalid.class);
    assertThat(((Parsed.Invalid) parsed).reason()).contains(reason);
    assertThat(MemberName.parse(raw)).isEmpty();
  }

  @Test
  void parse_refusesEmptyControlCharactersAndTooLong() {
    assertThat(((Parsed.Invalid) MemberName.parseOrExplain("")).reason()).startsWith("is empty");
    assertThat(MemberName.parse((String) null)).isEmpty();
    String withBell = ((Parsed.Invalid) MemberName.parseOrExplain("user:an\u0007a@example.com")).reason();
    assertThat(withBell).contains("control character").contains("\\u0007").doesNotContain("\u0007");
    assertThat(MemberName.parse("user:ana@example.com\n")).isEmpty();
    assertThat(MemberName.parse("user:" + "a".repeat(65) + "@example.com")).isEmpty();
    assertThat(MemberName.parse("user:ana@" + "a".repeat(250) + ".com")).isEmpty();
    assertThat(MemberName.parse("user:ana@exämple.com")).isEmpty();
  }

  @Test
  void parseWithField_throwsAValidationErrorOnThatField() {
    assertThatThrownBy(() -> MemberName.parse("member", "user:a@@b.com"))
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.errors()).hasSize(1);
          assertThat(e.errors().get(0).field()).isEqualTo("member");
          assertThat(e.errors().get(0).message()).contains("'user:a@@b.com'");
        });
  }

  @Test
  void constructor_refusesAnEmailThatIsNotCanonical() {
    assertThatThrownBy(() -> new MemberName(Kind.USER, "Ana@example.com")).isInstanceOf(IllegalArgumentException.class);
    assertThat(MemberName.user("Ana@example.com").email()).isEqualTo("ana@example.com");
  }
}
