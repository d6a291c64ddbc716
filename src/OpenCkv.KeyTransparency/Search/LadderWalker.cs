namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// Runs a search binary ladder (KT §5, §6.2) lookup by lookup, the next version chosen from the outcomes so far,
/// exactly as <see cref="BinaryLadder.Search"/> would for the greatest version the outcomes imply. The prover feeds
/// it the truth from its prefix tree; the verifier feeds it the result types of the proof. Both therefore agree
/// on which versions were looked up, which were omitted, and what the ladder says.
/// </summary>
internal static class LadderWalker
{
    private const ulong VersionLimit = 1UL << 32;

    /// <summary>
    /// Walks the search ladder for <paramref name="target"/>. <paramref name="lookup"/> is called for each version
    /// that is not omitted and returns whether it is present. Omitted versions are those in
    /// <paramref name="leftInclusions"/> (known present) or <paramref name="rightNonInclusions"/> (known absent).
    /// </summary>
    public static LadderResult Walk(
        uint target,
        Func<uint, bool> lookup,
        IReadOnlySet<uint> leftInclusions,
        IReadOnlySet<uint> rightNonInclusions)
    {
        var looked = new List<uint>(40);
        var outcomes = new Dictionary<uint, bool>();
        ulong lower = 0;       // the greatest version seen present (meaningful once anyPresent)
        bool anyPresent = false;
        ulong upper = 0;       // the smallest version seen absent, once phase two starts
        bool searching = false;
        int step = 0;

        while (true)
        {
            ulong candidate;
            if (!searching)
            {
                candidate = (1UL << step) - 1;
                step++;
            }
            else
            {
                if (lower + 1 >= upper)
                {
                    break;
                }

                candidate = (lower + upper) / 2;
            }

            bool present;
            if (candidate >= VersionLimit)
            {
                present = false; // beyond 2^32 − 1: skipped, treated as a non-inclusion (KT §5)
            }
            else
            {
                uint version = (uint)candidate;
                if (leftInclusions.Contains(version))
                {
                    present = true;
                }
                else if (rightNonInclusions.Contains(version))
                {
                    present = false;
                }
                else
                {
                    present = lookup(version);
                    looked.Add(version);
                }

                outcomes[version] = present;
                if ((present && version > target) || (!present && version <= target))
                {
                    break; // KT §6.2: this lookup settles the comparison with the target
                }
            }

            if (present)
            {
                lower = candidate;
                anyPresent = true;
            }
            else if (!searching)
            {
                searching = true;
                upper = candidate;
                lower = anyPresent ? lower : 0;
                if (!anyPresent)
                {
                    break; // version 0 absent: nothing exists, and the ladder ends
                }
            }
            else
            {
                upper = candidate;
            }
        }

        return new LadderResult(target, looked, outcomes);
    }
}

/// <summary>What a search ladder established at one log entry.</summary>
internal sealed class LadderResult(uint target, IReadOnlyList<uint> lookedUp, IReadOnlyDictionary<uint, bool> outcomes)
{
    /// <summary>The versions actually looked up (not omitted), in order: one prefix-proof result each.</summary>
    public IReadOnlyList<uint> LookedUp { get; } = lookedUp;

    /// <summary>Every version the ladder decided, looked up or omitted, and whether it is present.</summary>
    public IReadOnlyDictionary<uint, bool> Outcomes { get; } = outcomes;

    /// <summary>The greatest version at this entry is greater than the target.</summary>
    public bool GreaterThanTarget => Outcomes.Any(o => o.Value && o.Key > target);

    /// <summary>The greatest version at this entry is less than the target.</summary>
    public bool LessThanTarget => Outcomes.Any(o => !o.Value && o.Key <= target);

    /// <summary>The greatest version at this entry is exactly the target.</summary>
    public bool EqualsTarget => !GreaterThanTarget && !LessThanTarget;
}
