package gemgate.server.media;

import gemgate.core.net.CidrSet;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Which addresses the media fetcher may connect to. {@link #publicOnly()} refuses everything that is not a public
 * unicast address: loopback, private (RFC 1918), link-local, CGNAT, unique-local, multicast, unspecified,
 * documentation and reserved ranges, IPv4-mapped and NAT64 forms of those, and the tunnelling prefixes (6to4,
 * Teredo) whose embedded IPv4 target cannot be trusted. Applied to every resolved address of every hop.
 */
public final class AddressPolicy {
    private static final CidrSet BLOCKED = CidrSet.of(
            // IPv4 (an IPv4-mapped IPv6 address is compared as IPv4 by CidrSet)
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
            "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            // IPv6
            "::/96", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
            "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8");
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private final CidrSet allowedAnyway;

    private AddressPolicy(CidrSet allowedAnyway) {
        this.allowedAnyway = allowedAnyway;
    }

    /** Public unicast addresses only: the production policy. */
    public static AddressPolicy publicOnly() {
        return new AddressPolicy(CidrSet.of());
    }

    /**
     * The public-only policy plus {@code ranges}. For tests that serve media from loopback; nothing in the
     * configuration reaches it, so a deployment cannot open the hole.
     */
    public static AddressPolicy publicOnlyAllowingForTests(CidrSet ranges) {
        return new AddressPolicy(Objects.requireNonNull(ranges, "ranges"));
    }

    /** Null when {@code a} may be contacted, else why not (for the client's error message). */
    public String refusal(InetAddress a) {
        byte[] b = a.getAddress();
        if (allowedAnyway.contains(b)) {
            return null;
        }
        if (b.length == 16 && startsWith(b, NAT64)) {
            byte[] v4 = {b[12], b[13], b[14], b[15]};
            return BLOCKED.contains(v4) ? "it resolves to a non-public address" : null;
        }
        if (BLOCKED.contains(b) || a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress()
                || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return "it resolves to a non-public address";
        }
        return null;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
