package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LeakyTest {
    @Test
    void computesInTheBackground() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(2); // never shut down
        Future<Integer> answer = workers.submit(() -> 6 * 7);
        assertEquals(42, answer.get());
    }
}
