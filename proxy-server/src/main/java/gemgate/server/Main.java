package gemgate.server;

import gemgate.core.config.ConfigError;
import gemgate.core.config.ConfigLoader;
import gemgate.core.config.Settings;
import gemgate.server.emulator.GeminiEmulator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line: {@code java -jar gemgate.jar [--demo] [--config FILE] [--check-config] [--help] [--version]}.
 * Exit codes: 0 ok, 2 bad command line or configuration, 1 failure to start.
 */
public final class Main {
    static final String DEMO_KEYS = "demo-key-1,demo-key-2,demo-key-3";

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Runs the command; returns an exit code, or -1 when the server was started and keeps running. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean demo = false;
        boolean selftest = false;
        boolean check = false;
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--version", "-v" -> {
                    out.println("gemgate " + Gemgate.version());
                    return 0;
                }
                case "--demo" -> demo = true;
                case "--selftest" -> {
                    demo = true;
                    selftest = true;
                }
                case "--check-config" -> check = true;
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("gemgate: --config needs a file name");
                        return 2;
                    }
                    config = Path.of(args[++i]);
                }
                default -> {
                    err.println("gemgate: unknown option '" + args[i] + "'\n" + usage());
                    return 2;
                }
            }
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        if (config == null && env.get("GEMGATE_CONFIG") != null && !env.get("GEMGATE_CONFIG").isBlank()) {
            config = Path.of(env.get("GEMGATE_CONFIG"));
        }
        if (config != null && !Files.isReadable(config)) {
            err.println("gemgate: configuration file " + config + " does not exist or cannot be read");
            return 2;
        }
        GeminiEmulator emulator = null;
        if (demo) {
            emulator = GeminiEmulator.start("127.0.0.1", 0);
            env.put("GEMINI_BASE_URL", emulator.baseUrl());
            env.put("GEMINI_API_KEYS", DEMO_KEYS);
            env.remove("GEMINI_API_KEYS_1");
            env.remove("PROXY_URL");
            env.remove("HTTPS_PROXY");
            env.remove("https_proxy");
            env.remove("ALL_PROXY");
            env.remove("all_proxy");
        }
        if (selftest) {
            // Loopback, any free port, a throw-away password and no files written: safe to run anywhere.
            env.put("HOST", "127.0.0.1");
            env.put("PORT", "0");
            env.put("PASSWORD", "selftest-" + Long.toHexString(System.nanoTime()));
            env.put("ENABLE_STORAGE", "false");
            env.put("ACCESS_LOG", "false");
            env.remove("LOG_FILE");
        }
        Settings settings;
        ConfigLoader.Sources sources;
        try {
            sources = ConfigLoader.Sources.read(config, env, System.getProperties());
            settings = ConfigLoader.load(sources);
        } catch (ConfigError e) {
            err.println("gemgate: configuration error: " + e.getMessage());
            if (emulator != null) {
                emulator.close();
            }
            return 2;
        }
        if (check) {
            out.println("gemgate " + Gemgate.version() + ": configuration is valid. Effective settings:");
            settings.describe().forEach(l -> out.println("  " + l));
            if (emulator != null) {
                emulator.close();
            }
            return 0;
        }
        try {
            LogSetup.apply(settings.log());
        } catch (IOException | RuntimeException e) {
            err.println("gemgate: cannot write the log file " + settings.log().file() + " (LOG_FILE): " + e.getMessage());
            if (emulator != null) {
                emulator.close();
            }
            return 2;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        log.info("gemgate {} starting; effective settings:", Gemgate.version());
        settings.describe().forEach(l -> log.info("  {}", l));
        long t0 = System.nanoTime();
        Gemgate app;
        try {
            app = Gemgate.start(settings, sources);
        } catch (Exception e) {
            err.println("gemgate: cannot start: " + e.getMessage());
            if (emulator != null) {
                emulator.close();
            }
            return 1;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (selftest) {
            int code = SelfTest.run(app, settings.auth().password(), out, err);
            app.close();
            emulator.close();
            return code;
        }
        final GeminiEmulator emu = emulator;
        // SIGTERM (systemd stop, docker stop) and Ctrl-C: drain gracefully, then exit 0. The JVM would report 143
        // after a signal; halting from the hook once everything is closed makes a clean stop look clean to systemd
        // and Docker. Nothing else calls System.exit once the server runs, so no other exit status is overridden.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("gemgate stopping (signal received)");
            app.close();
            if (emu != null) {
                emu.close();
            }
            log.info("gemgate stopped");
            LogSetup.stop();
            Runtime.getRuntime().halt(0);
        }, "gemgate-shutdown"));
        out.print(banner(settings, app, demo, ms));
        out.flush();
        return -1;
    }

    static String banner(Settings s, Gemgate app, boolean demo, long startMs) {
        String host = s.server().host();
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        String base = "http://" + shown + ":" + app.port() + "/v1";
        StringBuilder b = new StringBuilder("\n");
        if (demo) {
            b.append("#################################################################\n")
             .append("#  DEMO MODE: answers come from gemgate's built-in EMULATOR,     #\n")
             .append("#  NOT from Google Gemini. Nothing leaves this machine.          #\n")
             .append("#  演示模式：回答来自内置模拟器，而不是 Google Gemini。            #\n")
             .append("#################################################################\n");
        }
        b.append("gemgate ").append(Gemgate.version()).append(" is listening on ").append(host).append(':').append(app.port())
                .append(" (started in ").append(startMs).append(" ms)\n");
        b.append("  Base URL (OpenAI clients, SillyTavern): ").append(base).append('\n');
        boolean showPassword = demo || s.auth().passwordGenerated();
        if (showPassword) {
            b.append("  Password / API key: ").append(s.auth().password()).append('\n');
            s.auth().generatedNotice().stream().skip(2).forEach(l -> b.append("  ").append(l).append('\n'));
        } else {
            b.append("  Password / API key: the PASSWORD you configured\n");
        }
        b.append("  Keys: ").append(app.gateway().keys().size()).append(" Gemini API key(s)");
        if (app.gateway().keys().size() == 0) {
            b.append(" -- none configured: chat answers 503 until you set GEMINI_API_KEYS");
        }
        b.append('\n');
        b.append("  Try it:\n    curl ").append(base).append("/chat/completions \\\n")
         .append("      -H 'Authorization: Bearer ").append(showPassword ? s.auth().password() : "YOUR_PASSWORD").append("' \\\n")
         .append("      -H 'Content-Type: application/json' \\\n")
         .append("      -d '{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'\n");
        return b.toString();
    }

    static String usage() {
        return """
                Usage: java -jar gemgate.jar [options]
                  --demo            start with a built-in Gemini emulator (no keys needed, nothing leaves the machine)
                  --selftest        start with the emulator on a free loopback port, send a plain and a streamed chat
                                    through the whole proxy, print the result and exit (0 = working)
                  --config FILE     read settings from FILE (HOCON/JSON; also GEMGATE_CONFIG)
                  --check-config    validate the configuration, print the effective settings (secrets masked), exit
                  --version         print the version
                  --help            this text
                Settings come from environment variables (GEMINI_API_KEYS, PASSWORD, PORT, FAKE_STREAMING, ...;
                see the README), which override the --config file, which overrides the defaults.
                """;
    }
}
