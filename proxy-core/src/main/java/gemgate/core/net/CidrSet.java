package gemgate.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A set of IP ranges ({@code 10.0.0.0/8}, {@code ::1}, {@code 127.0.0.1}), parsed from literals only: never a DNS
 * look-up. Used for TRUSTED_PROXIES.
 */
public final class CidrSet {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private record Range(byte[] network, int prefix) {}

    private final List<Range> ranges;
    private final List<String> source;

    private CidrSet(List<Range> ranges, List<String> source) {
        this.ranges = ranges;
        this.source = List.copyOf(source);
    }

    /**
     * Parses entries like {@code 127.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}.
     *
     * @throws IllegalArgumentException naming the bad entry and what was expected
     */
    public static CidrSet parse(List<String> entries) {
        List<Range> out = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            String addr = e;
            int prefix = -1;
            int slash = e.indexOf('/');
            if (slash >= 0) {
                addr = e.substring(0, slash);
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("'" + e + "' is not an IP address or CIDR range (bad prefix length)");
                }
            }
            byte[] bytes = literal(addr);
            if (bytes == null) {
                throw new IllegalArgumentException("'" + e + "' is not an IP address or CIDR range like 10.0.0.0/8 or ::1");
            }
            int max = bytes.length * 8;
            if (prefix < 0) {
                prefix = max;
            }
            if (prefix > max) {
                throw new IllegalArgumentException("'" + e + "': prefix length must be 0-" + max);
            }
            out.add(new Range(bytes, prefix));
        }
        return new CidrSet(out, entries);
    }

    public static CidrSet of(String... entries) {
        return parse(List.of(entries));
    }

    /** Parses an IP literal without DNS; null when it is not one. */
    public static byte[] literal(String s) {
        String a = s.trim();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        if (!(IPV4.matcher(a).matches() || IPV6.matcher(a).matches())) {
            return null;
        }
        if (IPV4.matcher(a).matches()) {
            for (String part : a.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            // Literal-only input (checked above), so this never touches DNS.
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    public boolean contains(InetAddress address) {
        return address != null && contains(address.getAddress());
    }

    public boolean contains(byte[] addr) {
        byte[] a = normalise(addr);
        for (Range r : ranges) {
            byte[] n = r.network;
            byte[] b = a;
            if (n.length != b.length) {
                continue;
            }
            if (matches(n, b, r.prefix)) {
                return true;
            }
        }
        return false;
    }

    /** IPv4-mapped IPv6 (::ffff:a.b.c.d) is compared as IPv4. */
    private static byte[] normalise(byte[] a) {
        if (a.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= a[i] == 0;
            }
            mapped &= (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
            if (mapped) {
                return new byte[] {a[12], a[13], a[14], a[15]};
            }
        }
        return a;
    }

    private static boolean matches(byte[] net, byte[] addr, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != addr[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (net[full] & mask) == (addr[full] & mask);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    @Override
    public String toString() {
        return String.join(",", source);
    }
}
