package cmdb.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A real Neo4j (embedded Community DBMS) with only the Bolt connector, on 127.0.0.1, for tests.
 *
 * <p>Usage: {@code java -Xmx1g -jar neo4j-test-server.jar --home DIR [--port N]
 * [--password PW] [--page-cache 256m] [--exit-on-stdin-eof]}. Port 0 (the default) lets the
 * OS pick a free port. Auth is off unless a password is given by {@code --password} or the
 * environment variable {@code NEO4J_TEST_PASSWORD}; the user is then {@code neo4j}.
 *
 * <p>Prints exactly one line {@code NEO4J_READY bolt://127.0.0.1:PORT} on stdout once the
 * default database answers, and {@code NEO4J_STOPPED} after a clean shutdown (SIGTERM, or
 * EOF on stdin with {@code --exit-on-stdin-eof}). Everything else goes to stderr and to
 * {@code DIR/logs/}. After SIGKILL, starting again on the same DIR recovers from the
 * transaction log.
 */
public final class Neo4jTestServer {
    private static final String HOST = "127.0.0.1";
    private static final String PASSWORD_ENV = "NEO4J_TEST_PASSWORD";
    private static final String USAGE = "usage: --home DIR [--port N] [--password PW]"
            + " [--page-cache 256m] [--exit-on-stdin-eof]";
    private static final long AVAILABLE_TIMEOUT_MS = 120_000;

    private Neo4jTestServer() {}

    public static void main(String[] args) throws InterruptedException {
        // Netty reads this when its classes load; Neo4j's own launcher sets it too.
        System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        Path home = null;
        int port = 0;
        String password = System.getenv(PASSWORD_ENV);
        String pageCache = "256m";
        boolean exitOnStdinEof = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--home" -> home = Path.of(required(value, USAGE)).toAbsolutePath();
                case "--port" -> port = Integer.parseInt(required(value, USAGE));
                case "--password" -> password = required(value, USAGE);
                case "--page-cache" -> pageCache = required(value, USAGE);
                case "--exit-on-stdin-eof" -> {
                    exitOnStdinEof = true;
                    continue;
                }
                default -> fail("unknown argument " + args[i] + "; " + USAGE);
            }
            i++;
        }
        if (home == null) {
            fail(USAGE);
        }
        try {
            int boltPort = start(home, port, password, pageCache);
            System.out.println("NEO4J_READY bolt://" + HOST + ":" + boltPort);
            System.out.flush();
        } catch (RuntimeException | Error e) {
            // Neo4j's non-daemon threads would keep a half-started JVM alive: exit instead.
            e.printStackTrace();
            System.exit(1);
        }
        if (exitOnStdinEof) {
            // The parent (pytest) holds our stdin: EOF means it died, so do not linger.
            drain(System.in);
            System.exit(0);  // runs the shutdown hook: a clean shutdown
        }
        Thread.currentThread().join();  // until SIGTERM runs the shutdown hook
    }

    /** Starts the DBMS, registers its clean shutdown, and returns the bound Bolt port. */
    private static int start(Path home, int port, String password, String pageCache) {
        boolean auth = password != null && !password.isEmpty();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache))
                // A test database needs no 256 MiB pre-allocated transaction log files.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // No "Anonymous Usage Data" reports to neo4j.com from a test server.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                // Bolt otherwise waits 5 s + 5 s for its idle pools on shutdown, after the
                // databases are already checkpointed and closed: 1 s each keeps stop() short.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time,
                        Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time,
                        Duration.ofSeconds(1))
                .build();
        Runtime.getRuntime().addShutdownHook(
                new Thread(() -> shutdown(dbms), "neo4j-test-server-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        awaitAvailable(db);
        db.executeTransactionally("RETURN 1");
        if (auth) {
            setPassword(dbms, password);
        }
        return boltPort(db);
    }

    private static void shutdown(DatabaseManagementService dbms) {
        try {
            dbms.shutdown();
            System.out.println("NEO4J_STOPPED");
            System.out.flush();
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }

    private static void awaitAvailable(GraphDatabaseService db) {
        if (!db.isAvailable(AVAILABLE_TIMEOUT_MS)) {
            throw new IllegalStateException("database " + db.databaseName()
                    + " not available after " + AVAILABLE_TIMEOUT_MS / 1000 + " s");
        }
    }

    /** The neo4j user's password, set on every start (no "change required" on first login). */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        awaitAvailable(system);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED",
                    Map.of("pw", password));
        } catch (RuntimeException e) {
            // A restart with the same password: Neo4j refuses to "change" it to itself.
            if (!String.valueOf(e.getMessage()).contains("same")) {
                throw e;
            }
        }
    }

    /** The port Bolt really bound (differs from the configured one when that was 0). */
    private static int boltPort(GraphDatabaseService db) {
        ConnectorPortRegister ports = ((GraphDatabaseAPI) db)
                .getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class);
        var address = ports.getLocalAddress(ConnectorType.BOLT);
        if (address == null) {
            throw new IllegalStateException("Bolt connector registered no local address");
        }
        return address.getPort();
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Nothing is sent on stdin; we only wait for it to close.
            }
        } catch (IOException e) {
            // A broken pipe means the parent is gone too.
        }
    }

    private static String required(String value, String usage) {
        if (value == null) {
            fail(usage);
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("neo4j-test-server: " + message);
        System.exit(2);
    }
}
