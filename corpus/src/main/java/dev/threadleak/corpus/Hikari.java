package dev.threadleak.corpus;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** HikariCP (H2 in memory): a pool per call never closed, against one pool for the program. */
public final class Hikari {
    public static void main(String[] args) throws Exception {
        HikariDataSource shared = newPool("shared");
        Calls.run(args, n -> query(newPool("pool-" + n)), n -> query(shared));
    }

    private static HikariDataSource newPool(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:corpus;DB_CLOSE_DELAY=-1");
        config.setPoolName(name);
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config); // LEAK: a pool (housekeeper and connection threads) per call
    }

    private static void query(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
            r.next();
        }
    }
}
