namespace OpenCkv.KeyTransparency.Search;

/// <summary>How two verified views of the log relate (KT §10.2, DESIGN §5).</summary>
public enum ForkVerdict
{
    /// <summary>The views share at least one tree size, and agree on the root at every size they share.</summary>
    Consistent = 1,

    /// <summary>Two validly signed views give different roots at a tree size both commit to: proven misbehaviour.</summary>
    Fork,

    /// <summary>The views share no tree size: nothing can be concluded yet; resynchronize and compare again.</summary>
    Unlinkable,
}

/// <summary>The outcome of a comparison, with the evidence of a fork: the size and both roots.</summary>
public sealed record ForkComparison(ForkVerdict Verdict, ulong? Size = null, Hash32? Mine = null, Hash32? Theirs = null);

/// <summary>
/// Compares two verified walks of the recent distinguished entries — typically one's own and a peer's
/// self-contained one — by the roots each proves at each tree size. Both were verified against the same pinned
/// configuration, so each root is committed to by a signed head; two different roots at one size are a fork, and the
/// two responses are its evidence. Comparing by size rather than by list position (KT §10.2's
/// <c>compare_roots</c>) gives the same answer for honest lists and needs no equal lengths.
/// </summary>
public static class ForkCheck
{
    /// <summary>Compares <paramref name="mine"/> with <paramref name="theirs"/>.</summary>
    public static ForkComparison Compare(VerifiedDistinguished mine, VerifiedDistinguished theirs)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(theirs);
        bool shared = false;
        foreach ((ulong size, Hash32 root) in mine.Roots.OrderBy(r => r.Key))
        {
            if (theirs.Roots.TryGetValue(size, out Hash32 other))
            {
                if (other != root)
                {
                    return new ForkComparison(ForkVerdict.Fork, size, root, other);
                }

                shared = true;
            }
        }

        return new ForkComparison(shared ? ForkVerdict.Consistent : ForkVerdict.Unlinkable);
    }
}
