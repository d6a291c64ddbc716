namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// The versions a binary ladder looks up (KT §5, §6.2, §8.1, Appendix B). Versions are <c>uint</c>: the greatest
/// possible version is 2^32 − 1, and lookups beyond it are skipped as if they were non-inclusion proofs.
/// </summary>
public static class BinaryLadder
{
    private const ulong VersionLimit = 1UL << 32;

    /// <summary>
    /// KT Appendix B <c>base_binary_ladder(n)</c>: powers of two minus one up to the first one above
    /// <paramref name="greatest"/>, then a binary search between the last two.
    /// </summary>
    public static uint[] Base(uint greatest)
    {
        var lookups = new List<ulong>(70);
        while (true)
        {
            ulong value = (1UL << lookups.Count) - 1;
            lookups.Add(value);
            if (value > greatest)
            {
                break;
            }
        }

        ulong lower = lookups[^2];
        ulong upper = lookups[^1];
        while (lower + 1 < upper)
        {
            ulong value = (lower + upper) / 2;
            lookups.Add(value);
            if (value <= greatest && value < VersionLimit)
            {
                lower = value;
            }
            else
            {
                upper = value;
            }
        }

        return lookups.Where(v => v < VersionLimit).Select(v => (uint)v).ToArray();
    }

    /// <summary>
    /// KT §6.2 search binary ladder for <paramref name="target"/> at an entry whose greatest version is
    /// <paramref name="greatest"/>: the base ladder up to the first lookup that settles the comparison (an inclusion
    /// above the target or a non-inclusion at or below it), without the lookups the caller says may be omitted.
    /// </summary>
    public static uint[] Search(
        uint target,
        uint greatest,
        IReadOnlySet<uint>? leftInclusions = null,
        IReadOnlySet<uint>? rightNonInclusions = null)
    {
        uint[] lookups = Base(greatest);
        int end = lookups.Length;
        for (int i = 0; i < lookups.Length; i++)
        {
            if (SettlesComparison(lookups[i], target, greatest))
            {
                end = i + 1;
                break;
            }
        }

        var result = new List<uint>(end);
        for (int i = 0; i < end; i++)
        {
            uint v = lookups[i];
            bool included = v <= greatest;
            bool omitted = included ? leftInclusions?.Contains(v) == true : rightNonInclusions?.Contains(v) == true;
            if (!omitted)
            {
                result.Add(v);
            }
        }

        return [.. result];
    }

    /// <summary>KT §8.1 monitoring binary ladder for a monitored version: the base ladder's lookups at or below it.</summary>
    public static uint[] Monitoring(uint target) => Base(target).Where(v => v <= target).ToArray();

    /// <summary>An inclusion proof for a version above the target, or a non-inclusion proof at or below it.</summary>
    private static bool SettlesComparison(uint version, uint target, uint greatest) =>
        (version <= greatest && version > target) || (version > greatest && version <= target);
}
