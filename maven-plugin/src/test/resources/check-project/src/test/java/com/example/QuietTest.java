package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QuietTest {
    @Test
    void addsUp() {
        assertEquals(42, 6 * 7);
    }

    @Test
    void runsWithTheProjectsOwnArgLine() {
        assertEquals("kept", System.getProperty("check.marker"));
    }
}
