package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class CleanTest {
    @Test
    void shutsItsWorkersDown() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            assertEquals(42, workers.submit(() -> 6 * 7).get());
        } finally {
            workers.shutdown();
        }
    }
}
