package gemgate.core.translate;

/** Per-deployment translation switches. {@code relaxSafety}: send every harm category with the lowest threshold. */
public record TranslateOptions(boolean relaxSafety) {
    public static TranslateOptions defaults() {
        return new TranslateOptions(true);
    }
}
