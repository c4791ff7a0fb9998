package dev.portcullis.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/** A CIDR block such as 10.0.0.0/8 or fd00::/8. Parsed from literals only: no DNS look-up ever. */
public record IpRange(byte[] network, int prefix) {

  public static Optional<IpRange> parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    Optional<byte[]> bytes = literal(address);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    int bits = bytes.get().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (prefix < 0 || prefix > bits) {
      return Optional.empty();
    }
    return Optional.of(new IpRange(bytes.get(), prefix));
  }

  /** Parses an IP literal (v4 dotted quad or v6, optionally in brackets) without touching DNS. */
  public static Optional<byte[]> literal(String address) {
    String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    boolean v4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = a.contains(":") && a.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(a).getAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  public boolean contains(byte[] address) {
    byte[] addr = address;
    if (addr.length != network.length) {
      addr = ipv4Mapped(addr, network.length);
      if (addr == null) {
        return false;
      }
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (addr[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (addr[full] & mask) == (network[full] & mask);
  }

  /** ::ffff:a.b.c.d and a.b.c.d are the same client. */
  private static byte[] ipv4Mapped(byte[] addr, int wanted) {
    if (addr.length == 16 && wanted == 4) {
      for (int i = 0; i < 10; i++) {
        if (addr[i] != 0) {
          return null;
        }
      }
      if ((addr[10] & 0xff) != 0xff || (addr[11] & 0xff) != 0xff) {
        return null;
      }
      return new byte[] {addr[12], addr[13], addr[14], addr[15]};
    }
    return null;
  }

  public static boolean anyContains(List<IpRange> ranges, byte[] address) {
    for (IpRange r : ranges) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      return "?/" + prefix;
    }
  }
}
