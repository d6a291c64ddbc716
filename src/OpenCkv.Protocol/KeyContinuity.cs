namespace OpenCkv.Protocol;

/// <summary>How a newly seen record's account key relates to the one a reader pinned (docs/ckv-protocol.md §2.6).</summary>
public enum KeyChange
{
    /// <summary>The same account key.</summary>
    Same = 1,

    /// <summary>A new key that the pinned key cross-signed, directly or through later links: a rotation (a notification).</summary>
    CrossSigned,

    /// <summary>A new key the pinned key never cross-signed (an account reset, or an attack): a sticky warning.</summary>
    Uncrosssigned,
}

/// <summary>The comparisons a reader makes between a verified record and what it pinned before (§2.6).</summary>
public static class KeyContinuity
{
    /// <summary>How <paramref name="record"/>'s key relates to <paramref name="pinnedKey"/>.</summary>
    public static KeyChange Compare(byte[] pinnedKey, HandleRecord record)
    {
        ArgumentNullException.ThrowIfNull(pinnedKey);
        ArgumentNullException.ThrowIfNull(record);
        if (record.AccountKey.AsSpan().SequenceEqual(pinnedKey))
        {
            return KeyChange.Same;
        }

        // The chain was verified link by link (RecordCheck): the pinned key appearing as a signer means every later
        // key, up to the record's, was cross-signed in turn.
        return record.Chain.Any(link => link.PreviousKey.AsSpan().SequenceEqual(pinnedKey)) ? KeyChange.CrossSigned : KeyChange.Uncrosssigned;
    }

    /// <summary>
    /// True when <paramref name="next"/> is the record that follows <paramref name="previous"/> for one handle: the
    /// same label, the next version, a greater counter, and the hash of <paramref name="previous"/> as its
    /// <c>previous_record_hash</c>. A reader that holds both and finds otherwise treats it as a counter regression.
    /// </summary>
    public static bool Follows(HandleRecord previous, HandleRecord next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        return next.Label.AsSpan().SequenceEqual(previous.Label) &&
            next.Version == previous.Version + 1UL &&
            next.Counter > previous.Counter &&
            next.PreviousRecordHash.AsSpan().SequenceEqual(previous.Hash());
    }

    /// <summary>True when the record's counter went below the highest one seen for the handle: a warning.</summary>
    public static bool CounterRegressed(ulong highestSeen, HandleRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Counter < highestSeen;
    }
}
