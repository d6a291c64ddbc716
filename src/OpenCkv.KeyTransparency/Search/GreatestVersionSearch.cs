using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>KT §6.3: a greatest-version search down the frontier from the rightmost distinguished entry.</summary>
internal static class GreatestVersionSearch
{
    private static readonly IReadOnlySet<uint> None = new HashSet<uint>();

    /// <summary>
    /// Runs the search for claimed greatest version <paramref name="target"/> and returns the terminal entry (the
    /// leftmost inspected entry that holds the target as its greatest version).
    /// </summary>
    /// <exception cref="KtVerificationException">A ladder contradicts the claimed greatest version.</exception>
    public static ulong Run(CombinedProofSession session, ulong treeSize, uint target, ulong reasonableMonitoringWindow)
    {
        ulong[] frontier = ImplicitTree.Frontier(treeSize);
        int start = Math.Max(RightmostDistinguishedIndex(session, frontier, reasonableMonitoringWindow), 0);

        var leftInclusions = new HashSet<uint>();
        ulong? terminal = null;
        for (int i = start; i < frontier.Length; i++)
        {
            LadderResult ladder = session.SearchLadder(frontier[i], target, leftInclusions, None);
            bool rightmost = i == frontier.Length - 1;
            if (ladder.GreaterThanTarget || (rightmost && !ladder.EqualsTarget))
            {
                throw new KtVerificationException(
                    VerificationFailure.InconsistentInput,
                    $"the ladder at entry {frontier[i]} contradicts greatest version {target}");
            }

            if (ladder.EqualsTarget)
            {
                terminal ??= frontier[i];
            }

            foreach ((uint version, bool present) in ladder.Outcomes)
            {
                if (present)
                {
                    leftInclusions.Add(version);
                }
            }
        }

        return terminal!.Value;
    }

    /// <summary>
    /// KT §6.1 along the frontier: frontier entry i is distinguished when the rightmost timestamp minus the
    /// timestamp of its frontier parent (0 for the root) is at least the window, and its parent is. Returns −1 when
    /// no entry is distinguished.
    /// </summary>
    public static int RightmostDistinguishedIndex(CombinedProofSession session, IReadOnlyList<ulong> frontier, ulong window)
    {
        ulong right = session.Timestamp(frontier[^1]);
        ulong left = 0;
        int found = -1;
        for (int i = 0; i < frontier.Count; i++)
        {
            if (right < left || right - left < window)
            {
                break;
            }

            found = i;
            left = session.Timestamp(frontier[i]);
        }

        return found;
    }
}
