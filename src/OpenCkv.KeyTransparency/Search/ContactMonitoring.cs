using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// KT §8.2, the contact algorithm: each monitored (position, version) pair moves up its direct path, to the
/// right, one monitoring ladder per entry, until it reaches a distinguished entry, where monitoring ends. Run
/// identically by the log (recording) and the client (consuming), so both agree on every ladder.
/// </summary>
internal static class ContactMonitoring
{
    /// <summary>
    /// Runs the algorithm over <paramref name="entries"/> (ascending, distinct positions and versions) and returns
    /// the map that is left: non-distinguished entries on the frontier, ascending by position.
    /// </summary>
    /// <param name="session">The proof session.</param>
    /// <param name="treeSize">The current tree size.</param>
    /// <param name="entries">The monitoring map.</param>
    /// <param name="window">The reasonable monitoring window.</param>
    /// <param name="ownerStart">In an owner-monitoring run, the owner's advertised start (KT §8.2 step 2.4).</param>
    /// <exception cref="KtVerificationException">A ladder shows a monitored version missing, or a ladder already given
    /// at an entry has a target not above the monitored version (KT §8.2 step 3.1.2).</exception>
    public static IReadOnlyList<MonitorMapEntry> Run(
        CombinedProofSession session, ulong treeSize, IReadOnlyList<MonitorMapEntry> entries, ulong window, ulong? ownerStart = null) =>
        Run(session, treeSize, entries, window, ownerStart, out _);

    /// <summary>
    /// As <see cref="Run(CombinedProofSession, ulong, IReadOnlyList{MonitorMapEntry}, ulong, ulong?)"/>, and also
    /// names, for each pair left in the map, the distinguished entry whose inspection step 2.4 left to the owner
    /// algorithm: once the owner has verified that entry, the pair needs no more monitoring.
    /// </summary>
    public static IReadOnlyList<MonitorMapEntry> Run(
        CombinedProofSession session,
        ulong treeSize,
        IReadOnlyList<MonitorMapEntry> entries,
        ulong window,
        ulong? ownerStart,
        out IReadOnlyDictionary<ulong, ulong> awaitingOwner)
    {
        var awaiting = new Dictionary<ulong, ulong>();
        awaitingOwner = awaiting;
        var map = new SortedDictionary<ulong, uint>();
        foreach (MonitorMapEntry entry in entries)
        {
            map.Add(entry.Position, entry.Version);
        }

        var distinguished = new HashSet<ulong>();
        foreach (MonitorMapEntry entry in entries.OrderByDescending(e => e.Position))
        {
            HashSet<ulong> onPath = DistinguishedEntries.OnPathTo(session, entry.Position, treeSize, window);
            distinguished.UnionWith(onPath);
            if (onPath.Contains(entry.Position))
            {
                continue; // step 1: stays until the end, then removed
            }

            ulong current = entry.Position;
            bool kept = true;
            List<ulong> inspected = Inspected(entry.Position, treeSize, onPath, ownerStart, out ulong? leftToOwner);
            foreach (ulong next in inspected)
            {
                if (!Advance(session, map, ref current, next, entry.Version))
                {
                    kept = false;
                    break;
                }
            }

            if (kept && leftToOwner is { } distinguishedEntry)
            {
                awaiting[current] = distinguishedEntry;
            }
        }

        return map.Where(pair => !distinguished.Contains(pair.Key)).Select(pair => new MonitorMapEntry(pair.Key, pair.Value)).ToArray();
    }

    /// <summary>Step 2: the direct path to the right of <paramref name="position"/>, up to the first distinguished entry.</summary>
    private static List<ulong> Inspected(ulong position, ulong treeSize, HashSet<ulong> distinguished, ulong? ownerStart, out ulong? leftToOwner)
    {
        leftToOwner = null;
        var list = new List<ulong>();
        foreach (ulong ancestor in ImplicitTree.DirectPath(position, treeSize))
        {
            if (ancestor < position)
            {
                continue;
            }

            if (distinguished.Contains(ancestor))
            {
                // Step 2.4: in owner monitoring, the owner algorithm inspects that distinguished entry itself.
                if (ownerStart is not { } start || position < start)
                {
                    list.Add(ancestor);
                }
                else
                {
                    leftToOwner = ancestor;
                }

                break;
            }

            list.Add(ancestor);
        }

        return list;
    }

    /// <summary>
    /// Step 3 for one entry of the list: moves the pair at <paramref name="current"/> to <paramref name="next"/>.
    /// Returns false when the pair was dropped because a greater version is already checked there.
    /// </summary>
    private static bool Advance(CombinedProofSession session, SortedDictionary<ulong, uint> map, ref ulong current, ulong next, uint version)
    {
        if (session.LadderTargetAt(next) is { } earlier)
        {
            if (earlier > version)
            {
                map.Remove(current);
                return false;
            }

            throw new KtVerificationException(
                VerificationFailure.VersionMismatch,
                $"entry {next} was shown with version {earlier} while version {version} is monitored to its left");
        }

        if (map.TryGetValue(next, out uint there) && next != current)
        {
            // Another monitored pair already sits at this entry, unmoved (it had nothing to its right to inspect).
            // One position keeps one version: the greater, as step 3.1 keeps the greater of two ladders.
            if (there > version)
            {
                map.Remove(current);
                return false;
            }
        }

        // The entry's timestamp binds the ladder's prefix root into the log tree. The draft's list of timestamps
        // for contact monitoring stops at the first non-distinguished path entry, which would leave the ladders
        // below it unbound (docs/protocol-notes.md); it is asked for here, once, before the ladder.
        session.Timestamp(next);
        session.MonitoringLadder(next, version);
        map.Remove(current);
        map[next] = version;
        current = next;
        return true;
    }
}
