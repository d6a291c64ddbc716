using CsCheck;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Trees;

/// <summary>
/// Batched log-tree proofs against a slow reference root (the recursive definition of KT §3.2 with the hashing of
/// §11.8), over random sizes, leaf sets, retained sizes and auditor sizes, and the worked example of Appendix C.1.
/// </summary>
public sealed class LogTreeProofTests
{
    private static readonly TreeHasher Hasher = CryptoSuite.Fastest.TreeHashes;

    /// <summary>The slow reference: split at the largest power of two below the size, hash children by type.</summary>
    internal static Hash32 ReferenceRoot(IReadOnlyList<Hash32> leaves, ulong start, ulong size)
    {
        if (size == 1)
        {
            return leaves[(int)start];
        }

        ulong split = 1;
        while (split * 2 < size)
        {
            split *= 2;
        }

        Hash32 left = ReferenceRoot(leaves, start, split);
        Hash32 right = ReferenceRoot(leaves, start + split, size - split);
        byte[] input = [split == 1 ? (byte)0 : (byte)1, .. left.Span, size - split == 1 ? (byte)0 : (byte)1, .. right.Span];
        return Hash32.From(System.Security.Cryptography.SHA256.HashData(input));
    }

    private static (InMemoryLogTree Tree, List<Hash32> Leaves) BuildTree(int size, int seed)
    {
        var random = new Random(seed);
        var tree = new InMemoryLogTree(Hasher);
        var leaves = new List<Hash32>();
        for (int i = 0; i < size; i++)
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            leaves.Add(Hash32.From(bytes));
            tree.Append(leaves[^1]);
        }

        return (tree, leaves);
    }

    [Fact]
    public void The_root_after_an_append_is_the_reference_root_of_the_longer_tree() =>
        Gen.Int[0, 300].Select(Gen.Int).Sample((size, seed) =>
        {
            (InMemoryLogTree tree, List<Hash32> leaves) = BuildTree(size, seed);
            Hash32 next = Hash32.From(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(seed)));
            Hash32 predicted = LogTreeProof.RootAfterAppend(tree, (ulong)size, next, Hasher);
            leaves.Add(next);
            Assert.Equal(ReferenceRoot(leaves, 0, (ulong)leaves.Count), predicted);
            Assert.Equal((ulong)size, tree.Size); // nothing was appended
        }, iter: 300);

    private static readonly Gen<(int Size, int Seed, ulong[] Known, ulong Retained, ulong? Auditor)> Shapes =
        from size in Gen.Int[1, 300]
        from seed in Gen.Int
        from known in Gen.ULong[0, (ulong)size - 1].Array[0, 6]
        from retained in Gen.ULong[0, (ulong)size - 1]
        from auditor in Gen.ULong[1, (ulong)size].Nullable()
        select (size, seed, known, retained, (ulong?)auditor);

    [Fact]
    public void Honest_proofs_recompute_the_reference_roots_and_full_subtrees()
    {
        Shapes.Sample(s =>
        {
            (InMemoryLogTree tree, List<Hash32> leaves) = BuildTree(s.Size, s.Seed);
            var shape = new LogProofShape((ulong)s.Size, s.Known, s.Retained, s.Auditor);
            IReadOnlyList<Hash32> elements = tree.ProofElements(shape);
            LogTreeEvaluation result = LogTreeProof.Evaluate(
                shape,
                s.Known.Distinct().ToDictionary(i => i, i => leaves[(int)i]),
                shape.Retained.Select(tree.Balanced).ToArray(),
                elements,
                Hasher,
                rootsAt: s.Known.Select(k => k + 1).ToArray());

            Assert.Equal(ReferenceRoot(leaves, 0, (ulong)s.Size), result.Root);

            // The roots at each size whose last leaf is known come out of the same proof (distinguished heads).
            Assert.All(s.Known, k => Assert.Equal(ReferenceRoot(leaves, 0, k + 1), result.RootsAt[k + 1]));
            Assert.Equal(tree.Root((ulong)s.Size), result.Root);
            Assert.Equal(shape.NewFullSubtrees.Select(r => ReferenceRoot(leaves, r.Start, r.Size)), result.FullSubtrees);
            if (s.Auditor is { } a)
            {
                Assert.Equal(ReferenceRoot(leaves, 0, a), result.AuditorRoot);
            }

            Assert.All(LogTreeProof.PlanElements(shape), r => Assert.True(r.IsBalanced));
        }, iter: 400);
    }

    [Fact]
    public void A_changed_missing_or_extra_element_never_yields_the_true_root()
    {
        Shapes.Where(s => s.Size > 1).Sample(s =>
        {
            (InMemoryLogTree tree, List<Hash32> leaves) = BuildTree(s.Size, s.Seed);
            var shape = new LogProofShape((ulong)s.Size, s.Known, s.Retained, s.Auditor);
            var elements = tree.ProofElements(shape).ToList();
            var known = s.Known.Distinct().ToDictionary(i => i, i => leaves[(int)i]);
            Hash32[] retained = shape.Retained.Select(tree.Balanced).ToArray();
            Hash32 trueRoot = tree.Root((ulong)s.Size);

            for (int i = 0; i < elements.Count; i++)
            {
                var changed = elements.ToList();
                byte[] bytes = changed[i].ToArray();
                bytes[i % 32] ^= 0x01;
                changed[i] = Hash32.From(bytes);
                try
                {
                    Assert.NotEqual(trueRoot, LogTreeProof.Evaluate(shape, known, retained, changed, Hasher).Root);
                }
                catch (KtVerificationException e)
                {
                    // The changed element fed a retained subtree that the requested leaves also determine.
                    Assert.Equal(VerificationFailure.RetainedValueMismatch, e.Failure);
                }
            }

            if (elements.Count > 0)
            {
                var e = Assert.Throws<KtVerificationException>(() =>
                    LogTreeProof.Evaluate(shape, known, retained, elements.Take(elements.Count - 1).ToList(), Hasher));
                Assert.Equal(VerificationFailure.ProofTooShort, e.Failure);
            }

            var extra = Assert.Throws<KtVerificationException>(() =>
                LogTreeProof.Evaluate(shape, known, retained, [.. elements, Hash32.Zero], Hasher));
            Assert.Equal(VerificationFailure.ProofTooLong, extra.Failure);
        }, iter: 150);
    }

    [Fact]
    public void A_retained_head_contradicted_by_requested_leaves_is_caught_even_though_the_root_ignores_it()
    {
        (InMemoryLogTree tree, List<Hash32> leaves) = BuildTree(13, 7);
        // Retained: the full subtree [0..4) of a 4-leaf tree; requested leaf 2 lies inside it.
        var shape = new LogProofShape(13, [2, 12], retainedSize: 4);
        IReadOnlyList<Hash32> elements = tree.ProofElements(shape);
        var known = new Dictionary<ulong, Hash32> { [2] = leaves[2], [12] = leaves[12] };

        LogTreeEvaluation honest = LogTreeProof.Evaluate(shape, known, [tree.Balanced(new LogRange(0, 4))], elements, Hasher);
        Assert.Equal(tree.Root(13), honest.Root);

        var e = Assert.Throws<KtVerificationException>(() =>
            LogTreeProof.Evaluate(shape, known, [Hash32.Zero], elements, Hasher));
        Assert.Equal(VerificationFailure.RetainedValueMismatch, e.Failure);
        Assert.Equal(Hash32.Zero, e.Expected);
    }

    [Fact]
    public void The_worked_example_of_appendix_c1_sends_exactly_its_four_heads()
    {
        // 13 entries; the user retained the full subtree [0..4) of a 4-entry tree; entries 7, 11 and 12 are known.
        var shape = new LogProofShape(13, [7, 11, 12], retainedSize: 4);
        Assert.Equal(
            new[] { new LogRange(4, 2), new LogRange(6, 1), new LogRange(8, 2), new LogRange(10, 1) },
            LogTreeProof.PlanElements(shape));
        Assert.Equal(new[] { new LogRange(0, 8), new LogRange(8, 4), new LogRange(12, 1) }, shape.NewFullSubtrees);
    }

    [Fact]
    public void A_consistency_proof_from_5_to_7_uses_the_retained_leaf_4_as_in_the_draft_figure()
    {
        var shape = new LogProofShape(7, [], retainedSize: 5);
        Assert.Equal(new[] { new LogRange(5, 1), new LogRange(6, 1) }, LogTreeProof.PlanElements(shape));
    }
}
