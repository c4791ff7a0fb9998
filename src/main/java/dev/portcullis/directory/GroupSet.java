package dev.portcullis.directory;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An immutable set of group emails, kept as the sorted ids of one snapshot's groups: a member's groups cost
 * an int per group however many members share them, and iterate in email order.
 */
final class GroupSet extends AbstractSet<String> {
  private final int[] ids;
  private final String[] emails;
  private final Map<String, Integer> idOf;

  /** {@code ids} sorted and without repeats; not copied, so the caller must never change it. */
  GroupSet(int[] ids, String[] emails, Map<String, Integer> idOf) {
    this.ids = ids;
    this.emails = emails;
    this.idOf = idOf;
  }

  int[] ids() {
    return ids;
  }

  @Override
  public boolean contains(Object o) {
    if (!(o instanceof String email)) {
      return false;
    }
    Integer id = idOf.get(email);
    return id != null && Arrays.binarySearch(ids, id) >= 0;
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
