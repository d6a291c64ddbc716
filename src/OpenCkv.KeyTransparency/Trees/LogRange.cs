using System.Numerics;

namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// A node of the left-balanced log tree (KT §3.2), named by the leaves it covers: [Start, Start + Size). The root
/// of a log of n leaves is [0, n); a parent's left child covers the largest power of two strictly below its size.
/// </summary>
public readonly record struct LogRange(ulong Start, ulong Size)
{
    /// <summary>One past the last leaf.</summary>
    public ulong End => Start + Size;

    /// <summary>A single leaf.</summary>
    public bool IsLeaf => Size == 1;

    /// <summary>The head of a balanced subtree (its size is a power of two).</summary>
    public bool IsBalanced => BitOperations.IsPow2(Size);

    /// <summary>The left child of a parent.</summary>
    public LogRange Left => new(Start, LeftSize);

    /// <summary>The right child of a parent.</summary>
    public LogRange Right => new(Start + LeftSize, Size - LeftSize);

    /// <summary>True when <paramref name="other"/> lies within this range (or is it).</summary>
    public bool Contains(LogRange other) => other.Start >= Start && other.End <= End;

    /// <summary>True when leaf <paramref name="leaf"/> lies within this range.</summary>
    public bool Contains(ulong leaf) => leaf >= Start && leaf < End;

    private ulong LeftSize => Size < 2
        ? throw new InvalidOperationException("A leaf has no children.")
        : 1UL << BitOperations.Log2(Size - 1);

    /// <summary>
    /// The full subtrees of a log of <paramref name="size"/> leaves (KT §4.2): the largest balanced subtrees, left
    /// to right — one per set bit of the size.
    /// </summary>
    public static LogRange[] FullSubtrees(ulong size)
    {
        var result = new List<LogRange>(64);
        ulong start = 0;
        for (int bit = 63; bit >= 0; bit--)
        {
            ulong piece = 1UL << bit;
            if ((size & piece) != 0)
            {
                result.Add(new LogRange(start, piece));
                start += piece;
            }
        }

        return [.. result];
    }

    /// <inheritdoc />
    public override string ToString() => Size == 1 ? $"[{Start}]" : $"[{Start}..{End})";
}
