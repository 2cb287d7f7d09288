package gemgate.server;

/** Entry point (placeholder until the server lands). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("gemgate");
    }
}
