package dev.threadleak.samples;

/** Prints exactly "hello" and returns; used to prove the agent adds no output of its own. */
public final class Hello {

    public static void main(String[] args) {
        System.out.println("hello");
    }

    private Hello() {
    }
}
