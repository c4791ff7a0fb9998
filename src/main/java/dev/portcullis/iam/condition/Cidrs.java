package dev.portcullis.iam.condition;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portcullis.config.IpRange;
import java.util.Optional;

/**
 * CIDR blocks as access levels and {@code inIpRange} take them: ADDRESS/PREFIX with the host bits zero, as
 * Google's Access Context Manager requires. Parsed text is memoized, since the same few blocks and client
 * addresses come back on every request.
 */
final class Cidrs {
  private static final byte[] NOT_AN_ADDRESS = new byte[0];
  private static final Cache<String, Optional<IpRange>> RANGES = Caffeine.newBuilder().maximumSize(2_048).build();
  private static final Cache<String, byte[]> ADDRESSES = Caffeine.newBuilder().maximumSize(16_384).build();

  private Cidrs() {}

  /** What is wrong with {@code text} as a CIDR block, or empty when it is one. */
  static Optional<String> problem(String text) {
    if (text == null || text.isBlank()) {
      return Optional.of("an empty CIDR block; write one such as 10.0.0.0/8 or 2001:db8::/32");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.of("'" + text + "' has no prefix length; write a CIDR block such as " + text + "/32 "
          + "(one IPv4 address) or " + text + "/128 (one IPv6 address)");
    }
    Optional<IpRange> range = IpRange.parse(text);
    if (range.isEmpty() || !text.equals(text.strip())) {
      return Optional.of("'" + text + "' is not a CIDR block such as 10.0.0.0/8 or 2001:db8::/32");
    }
    IpRange r = range.get();
    if (!hostBitsZero(r)) {
      return Optional.of("'" + text + "' has host bits set after the /" + r.prefix() + " prefix; write the network "
          + "address, " + withoutHostBits(r));
    }
    return Optional.empty();
  }

  /** The block, or empty when the text is not a valid CIDR block (host bits set included). */
  static Optional<IpRange> parse(String text) {
    return RANGES.get(text, t -> problem(t).isPresent() ? Optional.empty() : IpRange.parse(t));
  }

  /** The address bytes of an IP literal (no DNS), or empty when it is not one. */
  static Optional<byte[]> address(String text) {
    if (text == null) {
      return Optional.empty();
    }
    byte[] bytes = ADDRESSES.get(text, t -> IpRange.literal(t).orElse(NOT_AN_ADDRESS));
    return bytes.length == 0 ? Optional.empty() : Optional.of(bytes);
  }

  /** {@code inIpRange(ip, cidr)}: false when either is malformed. */
  static boolean inRange(String ip, String cidr) {
    Optional<byte[]> address = address(ip);
    if (address.isEmpty()) {
      return false;
    }
    Optional<IpRange> range = parse(cidr);
    return range.isPresent() && range.get().contains(address.get());
  }

  private static boolean hostBitsZero(IpRange r) {
    byte[] n = r.network();
    for (int bit = r.prefix(); bit < n.length * 8; bit++) {
      if ((n[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
        return false;
      }
    }
    return true;
  }

  private static IpRange withoutHostBits(IpRange r) {
    byte[] n = r.network().clone();
    for (int bit = r.prefix(); bit < n.length * 8; bit++) {
      n[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return new IpRange(n, r.prefix());
  }
}
