using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// KT §7.2: a binary search through the implicit tree for the first entry where the target version is the
/// greatest, skipping expired entries (§7.1), with the fallback of step 6 to a direct lookup.
/// </summary>
internal static class FixedVersionSearch
{
    /// <summary>Runs the search and returns the terminal entry.</summary>
    /// <exception cref="KtVerificationException">The version does not exist or is expired (the draft has no
    /// negative answers, so for a client this is an invalid response).</exception>
    public static ulong Run(CombinedProofSession session, ulong treeSize, uint target, Configuration configuration)
    {
        ulong rightmostTimestamp = session.Timestamp(treeSize - 1);
        var inspected = new List<(ulong Position, LadderResult Ladder)>();
        var path = new List<ulong>();
        bool sawExpired = false;
        ulong node = ImplicitTree.Root(treeSize);

        while (true)
        {
            path.Add(node);
            ulong timestamp = session.Timestamp(node);
            bool expired = IsExpired(timestamp, rightmostTimestamp, configuration.MaximumLifetime);
            ulong? next;
            if (expired)
            {
                sawExpired = true;
                next = ImplicitTree.HasRight(node, treeSize) ? ImplicitTree.Right(node, treeSize) : null;   // step 1
            }
            else
            {
                LadderResult ladder = session.SearchLadder(node, target, Inclusions(inspected, node), NonInclusions(inspected, node));
                inspected.Add((node, ladder));
                if (ladder.EqualsTarget)
                {
                    // Step 5.
                    if (!path.Take(path.Count - 1).Any(p => IsExpired(session.Timestamp(p), rightmostTimestamp, configuration.MaximumLifetime)) ||
                        HasUnexpiredDistinguishedAtOrLeft(session, path, node, treeSize, configuration, rightmostTimestamp))
                    {
                        return node;
                    }

                    throw Expired(target);
                }

                next = ladder.LessThanTarget
                    ? (ImplicitTree.HasRight(node, treeSize) ? ImplicitTree.Right(node, treeSize) : null)   // step 3
                    : (ImplicitTree.HasLeft(node) ? ImplicitTree.Left(node) : null);                       // step 4
            }

            if (next is null)
            {
                return Fallback(session, inspected, path, target, treeSize, configuration, rightmostTimestamp, sawExpired); // step 6
            }

            node = next.Value;
        }
    }

    private static ulong Fallback(
        CombinedProofSession session,
        List<(ulong Position, LadderResult Ladder)> inspected,
        List<ulong> path,
        uint target,
        ulong treeSize,
        Configuration configuration,
        ulong rightmostTimestamp,
        bool sawExpired)
    {
        var greater = inspected.Where(i => i.Ladder.GreaterThanTarget).OrderBy(i => i.Position).ToList();
        if (greater.Count == 0)
        {
            throw new KtVerificationException(VerificationFailure.VersionMismatch, $"version {target} does not exist");   // 6.1
        }

        ulong identified = greater[0].Position;
        if (sawExpired)
        {
            // 6.2: an unexpired distinguished inspected entry must lie to the left of the identified one — and the
            // identified entry must not itself be the leftmost unexpired distinguished entry.
            bool anchored = inspected.Any(i => i.Position < identified &&
                IsDistinguished(session, path, i.Position, treeSize, configuration.ReasonableMonitoringWindow, rightmostTimestamp));
            if (!anchored)
            {
                throw Expired(target);
            }
        }

        if (!session.Lookup(identified, target))   // 6.3
        {
            throw new KtVerificationException(VerificationFailure.VersionMismatch, $"version {target} does not exist at entry {identified}");
        }

        return identified;
    }

    private static bool HasUnexpiredDistinguishedAtOrLeft(
        CombinedProofSession session, List<ulong> path, ulong node, ulong treeSize, Configuration configuration, ulong rightmostTimestamp)
    {
        if (IsDistinguished(session, path, node, treeSize, configuration.ReasonableMonitoringWindow, rightmostTimestamp))
        {
            return true;
        }

        return path.Where(p => p < node).Any(p =>
            !IsExpired(session.Timestamp(p), rightmostTimestamp, configuration.MaximumLifetime) &&
            IsDistinguished(session, path, p, treeSize, configuration.ReasonableMonitoringWindow, rightmostTimestamp));
    }

    /// <summary>KT §6.1 along the search path from the root down to <paramref name="target"/> (which lies on it).</summary>
    private static bool IsDistinguished(
        CombinedProofSession session, List<ulong> path, ulong target, ulong treeSize, ulong window, ulong rightmostTimestamp)
    {
        ulong left = 0, right = rightmostTimestamp;
        foreach (ulong node in path)
        {
            if (right < left || right - left < window)
            {
                return false;
            }

            if (node == target)
            {
                return true;
            }

            ulong timestamp = session.Timestamp(node);
            ulong next = path[path.IndexOf(node) + 1];
            (left, right) = next < node ? (left, timestamp) : (timestamp, right);
        }

        return false;
    }

    internal static bool IsExpired(ulong timestamp, ulong rightmostTimestamp, ulong? maximumLifetime) =>
        maximumLifetime is { } lifetime && rightmostTimestamp >= timestamp && rightmostTimestamp - timestamp >= lifetime;

    private static HashSet<uint> Inclusions(List<(ulong Position, LadderResult Ladder)> inspected, ulong node) =>
        [.. inspected.Where(i => i.Position < node).SelectMany(i => i.Ladder.Outcomes.Where(o => o.Value).Select(o => o.Key))];

    private static HashSet<uint> NonInclusions(List<(ulong Position, LadderResult Ladder)> inspected, ulong node) =>
        [.. inspected.Where(i => i.Position > node).SelectMany(i => i.Ladder.Outcomes.Where(o => !o.Value).Select(o => o.Key))];

    private static KtVerificationException Expired(uint target) =>
        new(VerificationFailure.VersionMismatch, $"version {target} is expired");
}
