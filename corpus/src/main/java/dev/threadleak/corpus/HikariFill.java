package dev.threadleak.corpus;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Healthy: one HikariCP pool on H2 in memory (at most 10 connections, opened as demand asks: minimumIdle 1) and a
 * bounded request pool (a fixed ThreadPoolExecutor of 10), both built once; parallel queries rising from 1 to 10,
 * one more per step, each holding its connection for 50 ms. Both pools close at exit.
 */
public final class HikariFill {
    public static void main(String[] args) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:healthy;DB_CLOSE_DELAY=-1");
        config.setPoolName("healthy");
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(1);
        HikariDataSource db = new HikariDataSource(config);
        Ramp.Streams requests = new Ramp.Streams(new ThreadPoolExecutor(10, 10, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>()));
        Ramp.run(args, 10, (level, deadline) -> requests.rise(level, n -> query(db)), () -> {
            requests.close();
            db.close();
        });
    }

    private static void query(HikariDataSource db) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
            r.next();
            Thread.sleep(50); // the rest of the transaction's work, connection held
        }
    }
}
