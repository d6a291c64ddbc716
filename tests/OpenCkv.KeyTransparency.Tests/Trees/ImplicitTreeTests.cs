using CsCheck;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Tests.Trees;

/// <summary>
/// The bit-twiddling implicit tree of KT Appendix A against a slow reference built from the recursive definition
/// of KT §4.1: the root of entries [lo, hi) is lo + 2^floor(log2(hi − lo)) − 1, with [lo, root) on its left and
/// [root + 1, hi) on its right.
/// </summary>
public sealed class ImplicitTreeTests
{
    private sealed record RefNode(ulong Position, RefNode? Left, RefNode? Right);

    private static RefNode? Build(ulong lo, ulong hi)
    {
        if (lo >= hi)
        {
            return null;
        }

        ulong size = hi - lo;
        ulong power = 1;
        while (power * 2 <= size)
        {
            power *= 2;
        }

        ulong root = lo + power - 1;
        return new RefNode(root, Build(lo, root), Build(root + 1, hi));
    }

    private static void Walk(RefNode node, ulong n, List<ulong> path)
    {
        Assert.Equal(node.Left is not null, ImplicitTree.HasLeft(node.Position));
        Assert.Equal(node.Right is not null, ImplicitTree.HasRight(node.Position, n));
        Assert.Equal(path.AsEnumerable().Reverse().ToArray(), ImplicitTree.DirectPath(node.Position, n));
        path.Add(node.Position);
        if (node.Left is not null)
        {
            Assert.Equal(node.Left.Position, ImplicitTree.Left(node.Position));
            Walk(node.Left, n, path);
        }

        if (node.Right is not null)
        {
            Assert.Equal(node.Right.Position, ImplicitTree.Right(node.Position, n));
            Walk(node.Right, n, path);
        }

        path.RemoveAt(path.Count - 1);
    }

    [Fact]
    public void Every_tree_up_to_300_entries_matches_the_recursive_definition()
    {
        for (ulong n = 1; n <= 300; n++)
        {
            RefNode root = Build(0, n)!;
            Assert.Equal(root.Position, ImplicitTree.Root(n));
            Walk(root, n, []);

            var frontier = new List<ulong>();
            for (RefNode? x = root; x is not null; x = x.Right)
            {
                frontier.Add(x.Position);
            }

            Assert.Equal(frontier, ImplicitTree.Frontier(n));
        }
    }

    [Fact]
    public void Large_random_trees_match_the_definition_on_random_paths()
    {
        Gen.ULong[1, 1UL << 40].Select(Gen.ULong).Sample((n, seed) =>
        {
            ulong target = seed % n;
            // Walk the reference definition down to the target, one level at a time, without building the tree.
            ulong lo = 0, hi = n;
            var expectedPath = new List<ulong>();
            while (true)
            {
                ulong power = 1UL << (63 - System.Numerics.BitOperations.LeadingZeroCount(hi - lo));
                ulong root = lo + power - 1;
                if (root == target)
                {
                    break;
                }

                expectedPath.Add(root);
                (lo, hi) = target < root ? (lo, root) : (root + 1, hi);
            }

            expectedPath.Reverse();
            Assert.Equal(expectedPath.ToArray(), ImplicitTree.DirectPath(target, n));
        }, iter: 2000);
    }

    [Fact]
    public void The_draft_examples_hold()
    {
        Assert.Equal(31UL, ImplicitTree.Root(50));                    // KT §4.1
        Assert.Equal(new ulong[] { 31, 47, 49 }, ImplicitTree.Frontier(50));
        Assert.Equal(new ulong[] { 7, 11, 12 }, ImplicitTree.Frontier(13)); // KT Appendix C.1
        Assert.Equal(new ulong[] { 7 }, ImplicitTree.DirectPath(3, 13));
    }

    [Fact]
    public void Misuse_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImplicitTree.Root(0));
        Assert.Throws<ArgumentException>(() => ImplicitTree.Left(4));
        Assert.Throws<ArgumentException>(() => ImplicitTree.Right(12, 13));
        Assert.Throws<ArgumentException>(() => ImplicitTree.DirectPath(13, 13));
    }
}
