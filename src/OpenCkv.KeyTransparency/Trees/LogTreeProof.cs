using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// Batched inclusion-and-consistency proofs of the log tree (KT §12.1): the prover lists which balanced subtree
/// heads to send (<see cref="PlanElements"/>), the verifier recomputes the root from its leaves, its retained full
/// subtrees and those heads (<see cref="Evaluate"/>). Both run <see cref="LogProofWalker"/>.
/// </summary>
public static class LogTreeProof
{
    /// <summary>The elements of a proof of the given shape, read from <paramref name="table"/> in one batch.</summary>
    public static IReadOnlyList<Hash32> Elements(ILogTreeTable table, LogProofShape shape)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.ReadBalanced(PlanElements(shape));
    }

    /// <summary>The root of the tree when it had <paramref name="size"/> leaves, from its full subtrees' heads.</summary>
    public static Hash32 Root(ILogTreeTable table, ulong size, TreeHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (size == 0 || size > table.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The tree has {table.Size} leaves.");
        }

        LogRange[] subtrees = LogRange.FullSubtrees(size);
        return RootFromFullSubtrees(subtrees, table.ReadBalanced(subtrees), hasher);
    }

    /// <summary>
    /// The root the tree of <paramref name="size"/> leaves will have once <paramref name="leaf"/> is appended, without
    /// appending it, so the head can be signed before the step is stored. Only the full subtrees of the first
    /// <paramref name="size"/> leaves are read (a table holding fewer fails the read); whether the leaf really is
    /// number <paramref name="size"/> is the commit's to check, so the table's size is not asked for here — on a
    /// database that would be a round trip on every entry.
    /// </summary>
    /// <exception cref="ArgumentException">The table holds fewer than <paramref name="size"/> leaves.</exception>
    public static Hash32 RootAfterAppend(ILogTreeTable table, ulong size, Hash32 leaf, TreeHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(hasher);
        IReadOnlyList<Hash32> heads = size == 0 ? [] : table.ReadBalanced(LogRange.FullSubtrees(size));
        return RootFromFullSubtrees(LogRange.FullSubtrees(size + 1), FullSubtreesAfterAppend(heads, size, leaf, hasher), hasher);
    }

    /// <summary>
    /// The heads of the full subtrees of a tree of <paramref name="size"/> + 1 leaves, from those of
    /// <paramref name="size"/> leaves and the new leaf: the leaf closes the trailing full subtrees into one balanced
    /// subtree (KT §3.2). What a verifier that keeps only full subtrees (an auditor) needs to follow the log.
    /// </summary>
    public static IReadOnlyList<Hash32> FullSubtreesAfterAppend(IReadOnlyList<Hash32> heads, ulong size, Hash32 leaf, TreeHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(hasher);
        LogRange[] previous = size == 0 ? [] : LogRange.FullSubtrees(size);
        if (heads.Count != previous.Length)
        {
            throw new ArgumentException($"A tree of {size} leaves has {previous.Length} full subtrees.", nameof(heads));
        }

        ulong closingStart = LogRange.FullSubtrees(size + 1)[^1].Start;
        var values = new List<Hash32>(previous.Length + 1);
        for (int i = 0; i < previous.Length && previous[i].Start < closingStart; i++)
        {
            values.Add(heads[i]);
        }

        Hash32 closing = leaf;
        bool closingIsLeaf = true;
        var buffer = new byte[Hash32.Size];
        for (int i = previous.Length - 1; i >= 0 && previous[i].Start >= closingStart; i--)
        {
            hasher.LogParent(previous[i].IsLeaf, heads[i].Span, closingIsLeaf, closing.Span, buffer);
            closing = Hash32.From(buffer);
            closingIsLeaf = false;
        }

        values.Add(closing);
        return values;
    }

    /// <summary>The balanced subtree heads the prover must send, in the order the proof lists them (left to right).</summary>
    public static IReadOnlyList<LogRange> PlanElements(LogProofShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var planner = new Planner();
        LogProofWalker.Walk<Planner, bool>(shape, shape.Root, planner);
        return planner.Elements;
    }

    /// <summary>
    /// Recomputes the root of the tree from <paramref name="leafValues"/> (one per known leaf),
    /// <paramref name="retainedValues"/> (one per retained full subtree, left to right) and the proof's
    /// <paramref name="elements"/>, checking every retained value that the leaves also determine.
    /// </summary>
    /// <exception cref="KtVerificationException">Too few or too many elements, or a retained value contradicted.</exception>
    public static LogTreeEvaluation Evaluate(
        LogProofShape shape,
        IReadOnlyDictionary<ulong, Hash32> leafValues,
        IReadOnlyList<Hash32> retainedValues,
        IReadOnlyList<Hash32> elements,
        TreeHasher hasher,
        IReadOnlyList<ulong>? rootsAt = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(leafValues);
        ArgumentNullException.ThrowIfNull(retainedValues);
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(hasher);
        if (retainedValues.Count != shape.Retained.Count)
        {
            throw new ArgumentException("One retained value is needed per retained full subtree.", nameof(retainedValues));
        }

        // A root at a smaller size s is computable when leaf s − 1 is known: every full subtree of s is then either on
        // that leaf's path or a left sibling of it, and the walk visits both (used for distinguished heads, KT §10.2).
        rootsAt ??= [];
        if (rootsAt.Any(s => s == 0 || s > shape.TreeSize || !shape.IsKnownLeaf(s - 1)))
        {
            throw new ArgumentException("A root is computed only at a size whose last leaf is known.", nameof(rootsAt));
        }

        var watched = rootsAt.SelectMany(LogRange.FullSubtrees).ToHashSet();
        var evaluator = new Evaluator(shape, leafValues, retainedValues, elements, hasher, watched);
        Hash32 root = LogProofWalker.Walk<Evaluator, Hash32>(shape, shape.Root, evaluator);
        if (evaluator.Consumed != elements.Count)
        {
            throw new KtVerificationException(
                VerificationFailure.ProofTooLong,
                $"the log-tree proof has {elements.Count} elements, {evaluator.Consumed} were used");
        }

        Hash32[] fullSubtrees = shape.NewFullSubtrees.Select(r => evaluator.ValueOf(r)).ToArray();
        Hash32? auditorRoot = shape.AuditorSize is null
            ? null
            : RootFromFullSubtrees(shape.AuditorSubtrees, shape.AuditorSubtrees.Select(r => evaluator.ValueOf(r)).ToArray(), hasher);
        var roots = rootsAt.Distinct().ToDictionary(
            s => s,
            s =>
            {
                LogRange[] subtrees = LogRange.FullSubtrees(s);
                return RootFromFullSubtrees(subtrees, subtrees.Select(evaluator.ValueOf).ToArray(), hasher);
            });
        return new LogTreeEvaluation(root, fullSubtrees, auditorRoot) { RootsAt = roots };
    }

    /// <summary>
    /// The root of a tree from the values of its full subtrees, folding right to left: the root of a left-balanced
    /// tree is the parent of its first full subtree and the tree of the rest (KT §3.2, hashing §11.8).
    /// </summary>
    public static Hash32 RootFromFullSubtrees(IReadOnlyList<LogRange> subtrees, IReadOnlyList<Hash32> values, TreeHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(subtrees);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(hasher);
        if (subtrees.Count == 0 || subtrees.Count != values.Count)
        {
            throw new ArgumentException("One value is needed per full subtree, and at least one subtree.", nameof(values));
        }

        Hash32 accumulated = values[^1];
        bool accumulatedIsLeaf = subtrees[^1].IsLeaf;
        var buffer = new byte[Hash32.Size];
        for (int i = subtrees.Count - 2; i >= 0; i--)
        {
            hasher.LogParent(subtrees[i].IsLeaf, values[i].Span, accumulatedIsLeaf, accumulated.Span, buffer);
            accumulated = Hash32.From(buffer);
            accumulatedIsLeaf = false;
        }

        return accumulated;
    }

    private sealed class Planner : ILogProofVisitor<bool>
    {
        public List<LogRange> Elements { get; } = [];

        public bool KnownLeaf(ulong leaf) => true;

        public bool Retained(LogRange node) => true;

        public bool Provided(LogRange node)
        {
            Elements.Add(node);
            return true;
        }

        public bool Parent(LogRange node, bool left, bool right) => true;

        public void CheckRetained(LogRange node, bool computed)
        {
        }

        public void Computed(LogRange node, bool value)
        {
        }
    }

    private sealed class Evaluator(
        LogProofShape shape,
        IReadOnlyDictionary<ulong, Hash32> leafValues,
        IReadOnlyList<Hash32> retainedValues,
        IReadOnlyList<Hash32> elements,
        TreeHasher hasher,
        HashSet<LogRange> alsoWatched) : ILogProofVisitor<Hash32>
    {
        private readonly Dictionary<LogRange, Hash32> _watched = [];
        private readonly byte[] _buffer = new byte[Hash32.Size];

        public int Consumed { get; private set; }

        public Hash32 ValueOf(LogRange range) => _watched.TryGetValue(range, out Hash32 value)
            ? value
            : throw new InvalidOperationException($"The value of {range} was not computed.");

        public Hash32 KnownLeaf(ulong leaf) => leafValues.TryGetValue(leaf, out Hash32 value)
            ? value
            : throw new KtVerificationException(VerificationFailure.InconsistentInput, $"no value was given for known leaf {leaf}");

        public Hash32 Retained(LogRange node)
        {
            Hash32 value = RetainedValue(node);
            Computed(node, value);
            return value;
        }

        public Hash32 Provided(LogRange node)
        {
            if (Consumed >= elements.Count)
            {
                throw new KtVerificationException(
                    VerificationFailure.ProofTooShort, $"the log-tree proof ran out of elements at subtree {node}");
            }

            return elements[Consumed++];
        }

        public Hash32 Parent(LogRange node, Hash32 left, Hash32 right)
        {
            hasher.LogParent(node.Left.IsLeaf, left.Span, node.Right.IsLeaf, right.Span, _buffer);
            return Hash32.From(_buffer);
        }

        public void CheckRetained(LogRange node, Hash32 computed)
        {
            Hash32 retained = RetainedValue(node);
            if (!computed.Equals(retained))
            {
                throw new KtVerificationException(
                    VerificationFailure.RetainedValueMismatch, $"retained log subtree {node} was recomputed differently", retained, computed);
            }
        }

        public void Computed(LogRange node, Hash32 value)
        {
            if (shape.NewFullSubtrees.Contains(node) || shape.AuditorSubtrees.Contains(node) || alsoWatched.Contains(node))
            {
                _watched[node] = value;
            }
        }

        private Hash32 RetainedValue(LogRange node)
        {
            for (int i = 0; i < shape.Retained.Count; i++)
            {
                if (shape.Retained[i] == node)
                {
                    return retainedValues[i];
                }
            }

            throw new InvalidOperationException($"{node} is not a retained subtree.");
        }
    }
}

/// <summary>What a verified log-tree proof yields: the root, the new full subtrees' heads to retain, and the root at
/// the auditor's tree size when one was asked for.</summary>
public sealed record LogTreeEvaluation(Hash32 Root, IReadOnlyList<Hash32> FullSubtrees, Hash32? AuditorRoot)
{
    /// <summary>The roots at the smaller sizes asked for, by size.</summary>
    public IReadOnlyDictionary<ulong, Hash32> RootsAt { get; init; } = new Dictionary<ulong, Hash32>();
}
