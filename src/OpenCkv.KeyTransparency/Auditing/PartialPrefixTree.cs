using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Auditing;

/// <summary>
/// The part of a prefix tree that a batch lookup proof reveals (KT §12.2): the paths to the searched keys, their
/// terminal leaves or stand-ins, and copath values as opaque hashes. Leaves can be added and removed along those
/// paths and the new root computed — what an auditor does with an <c>AuditorUpdate</c> (KT §15.2 step 7).
/// </summary>
/// <remarks>
/// Removing a leaf leaves an empty stand-in where it was; a parent left with two empty children becomes empty
/// itself. Leaves that remain are not moved up: the proof does not say whether an opaque sibling is a lone leaf,
/// so no other rule can be computed from it (docs/protocol-notes.md).
/// </remarks>
internal sealed class PartialPrefixTree
{
    private abstract record Node;

    private sealed record Empty : Node
    {
        public static readonly Empty Instance = new();
    }

    private sealed record Opaque(Hash32 Value) : Node;

    private sealed record Leaf(PrefixLeaf Value) : Node;

    private sealed record Parent(Node Left, Node Right) : Node;

    private readonly TreeHasher _hasher;
    private Node _root;

    private PartialPrefixTree(Node root, TreeHasher hasher)
    {
        _root = root;
        _hasher = hasher;
    }

    /// <summary>
    /// Rebuilds the revealed part of a tree from a proof for <paramref name="keys"/>, after
    /// <see cref="PrefixProofVerifier.ComputeRoot"/> has checked the proof's consistency; an included key's leaf
    /// carries the commitment in <paramref name="inclusionCommitments"/>.
    /// </summary>
    public static PartialPrefixTree FromProof(
        IReadOnlyList<Hash32> keys, PrefixProof proof, IReadOnlyDictionary<int, Hash32> inclusionCommitments, TreeHasher hasher)
    {
        if (keys.Count == 0)
        {
            return new PartialPrefixTree(OpaqueOrEmpty(proof.Elements[0]), hasher);
        }

        int next = 0;
        Node Build(int depth, Span<int> group)
        {
            PrefixSearchResult result = proof.Results[group[0]];
            if (result.Depth == depth)
            {
                // Verified already: every search of the group ends at this one node.
                return result.ResultType switch
                {
                    PrefixSearchResultType.Inclusion => new Leaf(new PrefixLeaf(keys[group[0]], inclusionCommitments[group[0]])),
                    PrefixSearchResultType.NonInclusionLeaf => new Leaf(result.Leaf!),
                    _ => Empty.Instance,
                };
            }

            int split = PrefixTree.Partition(keys, group, depth);
            Node left = split == 0 ? OpaqueOrEmpty(proof.Elements[next++]) : Build(depth + 1, group[..split]);
            Node right = split == group.Length ? OpaqueOrEmpty(proof.Elements[next++]) : Build(depth + 1, group[split..]);
            return new Parent(left, right);
        }

        int[] all = Enumerable.Range(0, keys.Count).ToArray();
        return new PartialPrefixTree(Build(0, all), hasher);
    }

    /// <summary>Adds a leaf on a revealed path.</summary>
    /// <exception cref="KtVerificationException">The key is present, or its path was not revealed.</exception>
    public void Add(PrefixLeaf leaf) => _root = Add(_root, leaf, 0);

    /// <summary>Removes the revealed leaf of <paramref name="key"/>.</summary>
    /// <exception cref="KtVerificationException">The key's leaf was not revealed.</exception>
    public void Remove(Hash32 key) => _root = Remove(_root, key, 0);

    /// <summary>The root value.</summary>
    public Hash32 Root() => Value(_root);

    private static Node Add(Node node, PrefixLeaf leaf, int depth) => node switch
    {
        Empty => new Leaf(leaf),
        Parent p => KeyBits.Bit(leaf.VrfOutput.Span, depth) == 0
            ? p with { Left = Add(p.Left, leaf, depth + 1) }
            : p with { Right = Add(p.Right, leaf, depth + 1) },
        Leaf existing when existing.Value.VrfOutput != leaf.VrfOutput => Split(existing.Value, leaf, depth),
        Leaf => throw Fail($"key {leaf.VrfOutput} is already in the tree"),
        _ => throw Fail($"the path of key {leaf.VrfOutput} was not revealed by the proof"),
    };

    /// <summary>Parents down to the first bit where the two keys differ (KT §3.3).</summary>
    private static Parent Split(PrefixLeaf existing, PrefixLeaf added, int depth)
    {
        if (depth >= PrefixTree.MaxLeafDepth)
        {
            throw Fail("two keys share every bit a leaf depth can express");
        }

        int a = KeyBits.Bit(existing.VrfOutput.Span, depth);
        int b = KeyBits.Bit(added.VrfOutput.Span, depth);
        if (a != b)
        {
            return a == 0 ? new Parent(new Leaf(existing), new Leaf(added)) : new Parent(new Leaf(added), new Leaf(existing));
        }

        Parent below = Split(existing, added, depth + 1);
        return a == 0 ? new Parent(below, Empty.Instance) : new Parent(Empty.Instance, below);
    }

    private static Node Remove(Node node, Hash32 key, int depth)
    {
        switch (node)
        {
            case Leaf leaf when leaf.Value.VrfOutput == key:
                return Empty.Instance;
            case Parent p:
                Parent changed = KeyBits.Bit(key.Span, depth) == 0
                    ? p with { Left = Remove(p.Left, key, depth + 1) }
                    : p with { Right = Remove(p.Right, key, depth + 1) };
                return changed is { Left: Empty, Right: Empty } ? Empty.Instance : changed;
            default:
                throw Fail($"the leaf of key {key} was not revealed by the proof");
        }
    }

    private Hash32 Value(Node node)
    {
        Span<byte> buffer = stackalloc byte[Hash32.Size];
        switch (node)
        {
            case Empty:
                return Hash32.Zero;
            case Opaque opaque:
                return opaque.Value;
            case Leaf leaf:
                _hasher.PrefixLeaf(leaf.Value.VrfOutput.Span, leaf.Value.Commitment.Span, buffer);
                return Hash32.From(buffer);
            case Parent parent:
                Hash32 left = Value(parent.Left);
                Hash32 right = Value(parent.Right);
                _hasher.PrefixParent(left.Span, right.Span, buffer);
                return Hash32.From(buffer);
            default:
                throw new InvalidOperationException("Unknown node.");
        }
    }

    private static Node OpaqueOrEmpty(Hash32 value) => value == Hash32.Zero ? Empty.Instance : new Opaque(value);

    private static KtVerificationException Fail(string detail) => new(VerificationFailure.InconsistentInput, detail);
}
