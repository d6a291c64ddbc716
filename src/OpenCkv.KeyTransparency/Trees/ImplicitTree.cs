using System.Numerics;

namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// The implicit binary search tree over log entry positions (KT §4.1, Appendix A): the root of a log of n entries
/// is 2^floor(log2 n) − 1, its left subtree is the tree of the entries before it and its right subtree the tree
/// of the entries after it. Positions are <c>ulong</c>; a log has at most <see cref="MaxSize"/> entries.
/// </summary>
public static class ImplicitTree
{
    /// <summary>The largest log size the position arithmetic supports (2^62).</summary>
    public const ulong MaxSize = 1UL << 62;

    /// <summary>KT Appendix A <c>root(n)</c>: the root position of a log with <paramref name="n"/> entries.</summary>
    public static ulong Root(ulong n)
    {
        RequireSize(n);
        return (1UL << Log2(n)) - 1;
    }

    /// <summary>KT Appendix A <c>level(x)</c>: 0 for leaves (even positions), else the count of trailing one bits.</summary>
    public static int Level(ulong x) => BitOperations.TrailingZeroCount(~x);

    /// <summary>True when position <paramref name="x"/> has a left child.</summary>
    public static bool HasLeft(ulong x) => Level(x) > 0;

    /// <summary>KT Appendix A <c>left(x)</c>.</summary>
    /// <exception cref="ArgumentException">x is a leaf.</exception>
    public static ulong Left(ulong x)
    {
        int k = Level(x);
        if (k == 0)
        {
            throw new ArgumentException($"Entry {x} has no left child.", nameof(x));
        }

        return x ^ (1UL << (k - 1));
    }

    /// <summary>True when position <paramref name="x"/> has a right child in a log of <paramref name="n"/> entries.</summary>
    public static bool HasRight(ulong x, ulong n) => Level(x) > 0 && x != n - 1 && x < n;

    /// <summary>KT Appendix A <c>right(x, n)</c>.</summary>
    /// <exception cref="ArgumentException">x has no right child in a log of n entries.</exception>
    public static ulong Right(ulong x, ulong n)
    {
        RequireSize(n);
        if (!HasRight(x, n))
        {
            throw new ArgumentException($"Entry {x} has no right child in a log of {n} entries.", nameof(x));
        }

        int k = Level(x);
        x ^= 3UL << (k - 1);
        while (x >= n)
        {
            x = Left(x);
        }

        return x;
    }

    /// <summary>
    /// The frontier (KT §4.1): the root, its right child, that child's right child, … down to the rightmost entry.
    /// </summary>
    public static ulong[] Frontier(ulong n)
    {
        RequireSize(n);
        var frontier = new List<ulong>(64);
        ulong x = Root(n);
        frontier.Add(x);
        while (x != n - 1)
        {
            x = Right(x, n);
            frontier.Add(x);
        }

        return [.. frontier];
    }

    /// <summary>
    /// The direct path of entry <paramref name="x"/> (KT §3.1): its parent, the parent's parent, … up to the root;
    /// empty for the root itself.
    /// </summary>
    public static ulong[] DirectPath(ulong x, ulong n)
    {
        RequireSize(n);
        if (x >= n)
        {
            throw new ArgumentException($"Entry {x} is not in a log of {n} entries.", nameof(x));
        }

        // Walk down from the root towards x, then reverse: the tree is defined top-down.
        var path = new List<ulong>(64);
        ulong node = Root(n);
        while (node != x)
        {
            path.Add(node);
            node = x < node ? Left(node) : Right(node, n);
        }

        path.Reverse();
        return [.. path];
    }

    /// <summary>The exponent of the largest power of two ≤ x (0 for x = 0), as KT Appendix A's <c>log2</c>.</summary>
    public static int Log2(ulong x) => x == 0 ? 0 : BitOperations.Log2(x);

    private static void RequireSize(ulong n)
    {
        if (n == 0 || n > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"A log has between 1 and {MaxSize} entries.");
        }
    }
}
