package dev.threadleak.agent.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A map from thread ids to what is kept per thread, in the order keys were first put: for the maps that hold one entry
 * per live thread. A {@code HashMap<Long, V>} costs about 56 bytes an entry (a boxed key and a node), a
 * {@code LinkedHashMap} 64; this keeps keys and values in two arrays in insertion order, found through an index table
 * of ints: 20 to 44 bytes an entry.
 *
 * <p>Entries are visited by position, from 0 to {@link #end()}: {@link #valueAt} is null at a removed one, and
 * {@link #removeAt} during such a walk is safe (positions move only when a {@link #put} makes room). Not thread-safe.
 */
public final class LongMap<V> {
    private static final int MIN_CAPACITY = 16;
    private static final int FREE = -1, REMOVED = -2;

    private long[] keys = new long[MIN_CAPACITY];
    private Object[] values = new Object[MIN_CAPACITY];
    /** Position in {@code keys}/{@code values} by hash of the key, linear probing; twice their length. */
    private int[] index = indexFor(MIN_CAPACITY);
    private int end, size;

    public int size() {
        return size;
    }

    /** One past the last position used; positions below it hold an entry or a removed one. */
    public int end() {
        return end;
    }

    public V get(long key) {
        int slot = find(key);
        return slot < 0 ? null : valueAt(index[slot]);
    }

    /** The value at a position below {@link #end()}, or null where the entry was removed. */
    @SuppressWarnings("unchecked") // only Vs are stored
    public V valueAt(int position) {
        return (V) values[position];
    }

    /** Maps {@code key} to {@code value} (not null): a key already present keeps its position. Returns the old value. */
    public V put(long key, V value) {
        if (value == null) throw new IllegalArgumentException("null value for " + key);
        int slot = find(key);
        if (slot >= 0) {
            V old = valueAt(index[slot]);
            values[index[slot]] = value;
            return old;
        }
        if (end == keys.length) {
            resize();
        }
        keys[end] = key;
        values[end] = value;
        insert(key, end++);
        size++;
        return null;
    }

    /** Removes the entry at a position (no-op where already removed). */
    public void removeAt(int position) {
        if (values[position] == null) return;
        values[position] = null;
        size--;
        index[find(keys[position])] = REMOVED;
    }

    /** The values in insertion order. */
    public List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int i = 0; i < end; i++) {
            V v = valueAt(i);
            if (v != null) out.add(v);
        }
        return out;
    }

    /**
     * Compacts the live entries to the front of arrays half as large again as their count: room for a third more before
     * the next, and no larger once most of a crowd of threads has ended.
     */
    private void resize() {
        int capacity = Math.max(MIN_CAPACITY, size + 1 + (size + 1) / 2);
        long[] k = new long[capacity];
        Object[] v = new Object[capacity];
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (values[i] == null) continue;
            k[n] = keys[i];
            v[n++] = values[i];
        }
        keys = k;
        values = v;
        end = n;
        index = indexFor(capacity);
        for (int i = 0; i < n; i++) insert(k[i], i);
    }

    /** The index slot that holds {@code key}'s position, or -1. */
    private int find(long key) {
        int mask = index.length - 1;
        for (int slot = hash(key, mask); ; slot = (slot + 1) & mask) {
            int p = index[slot];
            if (p == FREE) return -1;
            if (p >= 0 && keys[p] == key) return slot;
        }
    }

    private void insert(long key, int position) {
        int mask = index.length - 1;
        int slot = hash(key, mask);
        while (index[slot] >= 0) slot = (slot + 1) & mask;
        index[slot] = position;
    }

    /** Fibonacci hashing: thread ids are consecutive, and their high bits would otherwise all be equal. */
    private static int hash(long key, int mask) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    /** An empty index at least twice the capacity, a power of two: a probe always ends at a free slot. */
    private static int[] indexFor(int capacity) {
        int[] index = new int[Integer.highestOneBit(capacity * 2 - 1) << 1];
        Arrays.fill(index, FREE);
        return index;
    }
}
