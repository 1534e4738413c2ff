package io.archipelago.server;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the control plane in this process until it is killed: {@code --data-dir DIR [--db URL] [--db-user U]
 * [--db-password P] [--port N] [--acceleration X] [--heartbeat-timeout MS] [--demo]}. The CLI's {@code serve}
 * command is the user-facing entry point; this one is for tests and process supervisors that start the
 * server as a child process (it prints {@code listening <port>} on stdout once ready).
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServerConfig c = parse(args);
        ArchipelagoServer s = ArchipelagoServer.start(c);
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "archipelago-shutdown"));
        System.out.println("listening " + s.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    static ServerConfig parse(String[] args) {
        Path dir = null;
        String db = null;
        String user = null;
        String password = System.getenv("ARCHIPELAGO_DB_PASSWORD");
        int port = 0;
        double accel = 1;
        long hb = 30_000;
        boolean demo = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--demo")) {
                demo = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--data-dir" -> dir = Path.of(v);
                case "--db" -> db = v;
                case "--db-user" -> user = v;
                case "--db-password" -> password = v;
                case "--port" -> port = Integer.parseInt(v);
                case "--acceleration" -> accel = Double.parseDouble(v);
                case "--heartbeat-timeout" -> hb = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return ServerConfig.defaults(dir).withDb(db, user, password).withPort(port).withAcceleration(accel).withHeartbeatTimeout(hb)
                .withDemo(demo);
    }
}
