package dev.portcullis.directory;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An immutable set of group emails, kept as the sorted ids of one snapshot's groups: a member's groups cost
 * an int per group however many members share them, and iterate in email order.
 *
 * <p>{@link #contains} is what a decision asks once per group a binding names, so it has its own small
 * open-addressing table over the set's emails (their cached hash codes): one probe or two and one
 * {@code equals}, instead of a look-up in the map of every group followed by a binary search.
 */
final class GroupSet extends AbstractSet<String> {
  private static final int[] EMPTY_TABLE = new int[1];

  private final int[] ids;
  private final String[] emails;
  /** Slot to id + 1 (0 for an empty slot); its length a power of two, at least twice the set's size. */
  private final int[] table;
  private final int shift;

  /** {@code ids} sorted and without repeats; not copied, so the caller must never change it. */
  GroupSet(int[] ids, String[] emails) {
    this.ids = ids;
    this.emails = emails;
    if (ids.length == 0) {
      this.table = EMPTY_TABLE;
      this.shift = 32;
      return;
    }
    int bits = 32 - Integer.numberOfLeadingZeros(ids.length * 2 - 1);
    this.table = new int[1 << bits];
    this.shift = 32 - bits;
    int mask = table.length - 1;
    for (int id : ids) {
      int slot = slot(emails[id]);
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = id + 1;
    }
  }

  int[] ids() {
    return ids;
  }

  private int slot(String email) {
    return shift == 32 ? 0 : (email.hashCode() * 0x9E3779B9) >>> shift;
  }

  @Override
  public boolean contains(Object o) {
    if (!(o instanceof String email) || ids.length == 0) {
      return false;
    }
    int mask = table.length - 1;
    for (int slot = slot(email); ; slot = (slot + 1) & mask) {
      int v = table[slot];
      if (v == 0) {
        return false;
      }
      String e = emails[v - 1];
      if (e == email || e.equals(email)) {
        return true;
      }
    }
  }

  @Override
  public int size() {
    return ids.length;
  }

  @Override
  public Iterator<String> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < ids.length;
      }

      @Override
      public String next() {
        if (next >= ids.length) {
          throw new NoSuchElementException();
        }
        return emails[ids[next++]];
      }
    };
  }
}
