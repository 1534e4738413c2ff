package io.archipelago.cli;

import io.archipelago.cli.loadgen.LoadGenerator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code archipelago loadgen}: drives {@code POST /api/v1/jobs} of a running control plane ({@code archipelago serve})
 * with {@link LoadGenerator} and prints accepted jobs/s and latency percentiles as a Markdown table.
 *
 * <p>The token comes from {@code --token}, or from {@code --token-file}: either a file holding just the token, or a
 * JSON file shaped like {@code demo-tokens.json} ({@code {"tenants": {"name": "token", ...}, ...}}) from which
 * {@code --tenant} (default: the first tenant) is taken. A progress line is drawn on stderr only when a console is
 * attached and {@code CI} is unset.
 *
 * <p>Exit codes: 0 when at least one request was accepted, 1 when none was (or the run failed), 2 for bad arguments.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
        description = {"Load-test the control plane's job submission (POST /api/v1/jobs) over persistent HTTP/1.1"
                + " connections and report accepted jobs/s and latency percentiles.",
                "Closed loop by default (each connection sends as soon as its previous response is in); --rate switches"
                        + " to an open loop whose latencies run from each request's scheduled time."})
public final class LoadGenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "Control plane base URL (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token of the submitting tenant.")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the token, or a JSON file like demo-tokens.json ({\"tenants\": {name: token}}).")
    Path tokenFile;

    @Option(names = "--tenant", paramLabel = "NAME",
            description = "Tenant to take from a JSON --token-file (default: the first one).")
    String tenant;

    @Option(names = "--connections", defaultValue = "32", description = "Persistent connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "PER_SECOND",
            description = "Requests per second over all connections; 0 = closed loop (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
            description = "Unmeasured time before the window, e.g. 5s, 500ms, 1m (default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "Measured window, e.g. 30s, 2m (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--body", paramLabel = "JSON",
            description = "Job body; {n} is replaced by the request's sequence number (default: a small shared-GPU spot job).")
    String body = LoadGenerator.DEFAULT_BODY;

    @Option(names = "--idempotency-keys", description = "Send a unique Idempotency-Key header with every request.")
    boolean idempotencyKeys;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON to FILE.")
    Path json;

    @Override
    public Integer call() throws IOException {
        LoadGenerator.Options options;
        try {
            options = new LoadGenerator.Options(url, resolveToken(), connections, rate, warmup, duration, body,
                    idempotencyKeys);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "POST %s://%s%s: %d connections, %s, %s warmup + %s measured%n", url.getScheme(),
                url.getRawAuthority(), options.requestPath(), connections,
                rate > 0 ? String.format(Locale.ROOT, "open loop at %,.1f requests/s", rate) : "closed loop",
                human(warmup), human(duration));
        boolean progress = Main.interactive();
        PrintStream err = System.err;
        LoadGenerator.ProgressListener listener = !progress ? LoadGenerator.ProgressListener.none()
                : (elapsed, accepted, perSecond) -> err.printf(Locale.ROOT, "\r%5ds %-9s accepted %,12d  %,10.0f/s  ",
                elapsed.toSeconds(), elapsed.compareTo(warmup) < 0 ? "warmup" : "measuring", accepted, perSecond);
        LoadGenerator.Result r = LoadGenerator.run(options, listener);
        if (progress) {
            err.println();
        }
        out.println(LoadGenerator.Result.markdownHeader());
        out.println(r.toMarkdownRow());
        StringBuilder statuses = new StringBuilder("responses by status:");
        r.statusCounts().forEach((status, n) -> statuses.append(' ').append(status).append(" x ").append(n));
        out.println(r.statusCounts().isEmpty() ? "responses by status: none" : statuses.toString());
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(json, r.toJson() + System.lineSeparator(), StandardCharsets.UTF_8);
        }
        if (r.accepted() == 0) {
            err.println("error: no request was accepted (" + r.sent() + " sent, " + r.ioErrors() + " I/O errors, "
                    + r.rejected4xx() + " 4xx, " + r.failed5xx() + " 5xx); check that 'archipelago serve' listens on "
                    + url + " and that the token belongs to a tenant");
            return 1;
        }
        return 0;
    }

    /** The token from {@code --token} or {@code --token-file}, exactly one of which must be given. */
    String resolveToken() throws IOException {
        if ((token == null) == (tokenFile == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), token == null
                    ? "missing token: pass --token TOKEN or --token-file FILE (e.g. the demo-tokens.json written by"
                    + " 'archipelago serve')"
                    : "pass either --token or --token-file, not both");
        }
        if (token != null) {
            if (tenant != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tenant " + tenant
                        + " only applies to a JSON --token-file; drop it or pass --token-file instead of --token");
            }
            return token.strip();
        }
        if (!Files.isRegularFile(tokenFile)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--token-file " + tokenFile
                    + " does not exist or is not a file");
        }
        String text = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        if (!text.startsWith("{")) {
            if (tenant != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tenant " + tenant + " needs a JSON"
                        + " --token-file with a \"tenants\" object, but " + tokenFile + " holds a plain token");
            }
            return text;
        }
        return tenantToken(text);
    }

    private String tenantToken(String text) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--token-file " + tokenFile
                    + " is not valid JSON: " + e.getMessage());
        }
        Object tenants = root instanceof Map<?, ?> m ? m.get("tenants") : null;
        if (!(tenants instanceof Map<?, ?> byName) || byName.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--token-file " + tokenFile
                    + " has no non-empty \"tenants\" object; expected {\"tenants\": {\"name\": \"token\", ...}}");
        }
        Object chosen;
        String name;
        if (tenant == null) {
            Map.Entry<?, ?> firstEntry = byName.entrySet().iterator().next();
            name = String.valueOf(firstEntry.getKey());
            chosen = firstEntry.getValue();
        } else {
            name = tenant;
            chosen = byName.get(tenant);
            if (chosen == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tenant " + tenant + " is not in "
                        + tokenFile + "; its tenants are " + String.join(", ", byName.keySet().stream().map(String::valueOf).toList()));
            }
        }
        if (!(chosen instanceof String s) || s.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "tenant " + name + " in " + tokenFile
                    + " has no token string");
        }
        return s.strip();
    }

    private static String human(Duration d) {
        if (d.toSeconds() == 0) {
            return d.toMillis() + "ms";
        }
        return d.toMillisPart() == 0 ? d.toSeconds() + "s" : String.format(Locale.ROOT, "%d.%03ds", d.toSeconds(), d.toMillisPart());
    }

    /** Parses {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 1h}, a plain number of seconds, or ISO-8601 {@code PT5S}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            Matcher m = SIMPLE.matcher(v);
            if (m.matches()) {
                BigDecimal amount = new BigDecimal(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                long nanosPerUnit = switch (unit) {
                    case "ms" -> 1_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "h" -> 3_600_000_000_000L;
                    default -> 1_000_000_000L;
                };
                return Duration.ofNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValue());
            }
            try {
                return Duration.parse(value.strip());
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 500ms, 5s,"
                        + " 1.5s, 2m or PT30S");
            }
        }
    }
}
