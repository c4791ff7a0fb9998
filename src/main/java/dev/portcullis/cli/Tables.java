package dev.portcullis.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Plain-text columns for people; scripts use --format json. */
final class Tables {
  private Tables() {}

  /** The --format values of the commands that print for people or for scripts. */
  enum Format { table, json }

  /** The first row is the header; columns are as wide as their widest cell, two spaces apart. */
  static void print(List<String[]> rows, PrintWriter out) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        line.append(c == row.length - 1 ? row[c] : String.format("%-" + widths[c] + "s  ", row[c]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /**
   * A list answer: with --format json the whole answer, pretty-printed; otherwise {@code emptyMessage} when its
   * {@code arrayField} array is missing or empty, or else a table of {@code header} and one {@code row} per element.
   * A null {@code emptyMessage} prints the header alone for an empty list. Flushes {@code out}.
   */
  static void list(JsonObject answer, String arrayField, Format format, String emptyMessage, String[] header,
      Function<JsonObject, String[]> row, PrintWriter out) {
    if (format == Format.json) {
      out.println(answer.encodePrettily());
    } else {
      JsonArray items = answer.getJsonArray(arrayField, new JsonArray());
      if (items.isEmpty() && emptyMessage != null) {
        out.println(emptyMessage);
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(header);
        for (int i = 0; i < items.size(); i++) {
          rows.add(row.apply(items.getJsonObject(i)));
        }
        print(rows, out);
      }
    }
    out.flush();
  }

  /** An API timestamp to the second, or "-" when absent. */
  static String time(String iso) {
    if (iso == null || iso.isBlank()) {
      return "-";
    }
    try {
      return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return iso;
    }
  }
}
