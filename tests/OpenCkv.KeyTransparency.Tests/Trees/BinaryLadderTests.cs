using CsCheck;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.KeyTransparency.Tests.Trees;

/// <summary>
/// Ladders against a slow reference that runs the lookups of KT §5 against an oracle ("is version v present?"),
/// exactly as the prose describes them, and against the draft's worked examples.
/// </summary>
public sealed class BinaryLadderTests
{
    /// <summary>KT §5 step by step: probe 2^i − 1 until a miss, then binary-search; versions ≥ 2^32 count as misses.</summary>
    private static List<uint> ReferenceBase(ulong greatest)
    {
        bool Present(ulong v) => v <= greatest && v <= uint.MaxValue;
        var lookups = new List<ulong>();
        ulong probe = 0;
        for (int i = 0; ; i++)
        {
            probe = (1UL << i) - 1;
            lookups.Add(probe);
            if (!Present(probe))
            {
                break;
            }
        }

        ulong lowest = lookups.Count >= 2 ? lookups[^2] : 0;
        ulong miss = probe;
        while (miss - lowest > 1)
        {
            ulong mid = lowest + ((miss - lowest) / 2);
            lookups.Add(mid);
            if (Present(mid))
            {
                lowest = mid;
            }
            else
            {
                miss = mid;
            }
        }

        return lookups.Where(v => v <= uint.MaxValue).Select(v => (uint)v).ToList();
    }

    [Fact]
    public void Base_ladder_matches_the_reference_for_small_and_random_versions()
    {
        for (uint n = 0; n < 2000; n++)
        {
            Assert.Equal(ReferenceBase(n), BinaryLadder.Base(n));
        }

        Gen.UInt.Sample(n => Assert.Equal(ReferenceBase(n), BinaryLadder.Base(n)), iter: 5000);
        Assert.Equal(ReferenceBase(uint.MaxValue), BinaryLadder.Base(uint.MaxValue));
    }

    [Fact]
    public void Search_ladder_stops_at_the_first_deciding_lookup_and_drops_omitted_versions()
    {
        Gen.Select(Gen.UInt[0, 5000], Gen.UInt[0, 5000]).Sample((target, greatest) =>
        {
            var expected = new List<uint>();
            foreach (uint v in ReferenceBase(greatest))
            {
                expected.Add(v);
                bool present = v <= greatest;
                if ((present && v > target) || (!present && v <= target))
                {
                    break;
                }
            }

            Assert.Equal(expected, BinaryLadder.Search(target, greatest));

            var leftInclusions = expected.Where(v => v <= greatest && v % 2 == 0).ToHashSet();
            var rightNonInclusions = expected.Where(v => v > greatest && v % 3 == 0).ToHashSet();
            Assert.Equal(
                expected.Where(v => !leftInclusions.Contains(v) && !rightNonInclusions.Contains(v)),
                BinaryLadder.Search(target, greatest, leftInclusions, rightNonInclusions));
        }, iter: 3000);
    }

    [Fact]
    public void Monitoring_ladder_keeps_the_lookups_at_or_below_the_target()
    {
        Gen.UInt.Sample(t => Assert.Equal(ReferenceBase(t).Where(v => v <= t), BinaryLadder.Monitoring(t)), iter: 3000);
    }

    [Fact]
    public void The_draft_examples_hold()
    {
        Assert.Equal(new uint[] { 0, 1, 3, 7, 5, 6 }, BinaryLadder.Base(6));        // KT §5
        Assert.Equal(new uint[] { 0, 1, 3, 2 }, BinaryLadder.Search(2, 2));        // KT Appendix C.1, entry 11
        Assert.Equal(new uint[] { 3 }, BinaryLadder.Search(2, 2, new HashSet<uint> { 0, 1, 2 }, new HashSet<uint>())); // entry 12
    }
}
