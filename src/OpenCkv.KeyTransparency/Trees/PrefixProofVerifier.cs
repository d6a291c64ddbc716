using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// Recomputes a prefix tree's root from a <see cref="PrefixProof"/> (KT §12.2), checking that the results are a
/// consistent set of searches: every search ends on its own key's path, searches that end at one node agree on
/// it, no search ends above another's path, and every copath value is used exactly once.
/// </summary>
public static class PrefixProofVerifier
{
    /// <summary>
    /// The candidate root for searches of <paramref name="keys"/>. <paramref name="inclusionCommitments"/> gives, for
    /// each key whose result is an inclusion, the commitment the verifier expects there (from the response); the
    /// leaf value is computed from it, so a proof that includes a key under a different commitment gives a
    /// different root.
    /// </summary>
    /// <exception cref="KtVerificationException">The results are inconsistent or the elements do not fit.</exception>
    public static Hash32 ComputeRoot(
        IReadOnlyList<Hash32> keys,
        PrefixProof proof,
        IReadOnlyDictionary<int, Hash32> inclusionCommitments,
        TreeHasher hasher)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(inclusionCommitments);
        ArgumentNullException.ThrowIfNull(hasher);
        if (proof.Results.Count != keys.Count)
        {
            throw Fail($"the prefix proof has {proof.Results.Count} results for {keys.Count} keys");
        }

        var terminals = new Hash32[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            terminals[i] = TerminalValue(i, keys[i], proof.Results[i], inclusionCommitments, hasher);
        }

        var state = new State(keys, proof, terminals, hasher);
        if (keys.Count == 0)
        {
            // No search: the root itself is the single copath element, and nothing else may follow it.
            if (proof.Elements.Count != 1)
            {
                throw Fail($"a prefix proof without searches has {proof.Elements.Count} elements, not 1");
            }

            return proof.Elements[0];
        }

        int[] group = Enumerable.Range(0, keys.Count).ToArray();
        Hash32 root = state.Compute(0, group);
        if (state.Consumed != proof.Elements.Count)
        {
            throw new KtVerificationException(
                VerificationFailure.ProofTooLong, $"the prefix proof has {proof.Elements.Count} elements, {state.Consumed} were used");
        }

        return root;
    }

    private static Hash32 TerminalValue(
        int index, Hash32 key, PrefixSearchResult result, IReadOnlyDictionary<int, Hash32> commitments, TreeHasher hasher)
    {
        Span<byte> value = stackalloc byte[Hash32.Size];
        switch (result.ResultType)
        {
            case PrefixSearchResultType.Inclusion:
                if (!commitments.TryGetValue(index, out Hash32 commitment))
                {
                    throw Fail($"search {index} is an inclusion, but no commitment was expected for it");
                }

                hasher.PrefixLeaf(key.Span, commitment.Span, value);
                return Hash32.From(value);
            case PrefixSearchResultType.NonInclusionLeaf:
                PrefixLeaf leaf = result.Leaf ?? throw Fail($"search {index} is a non-inclusion at a leaf but carries no leaf");
                if (leaf.VrfOutput == key || !KeyBits.SharePrefix(leaf.VrfOutput.Span, key.Span, result.Depth))
                {
                    throw Fail($"search {index} ends at a leaf that is its own key or off its path at depth {result.Depth}");
                }

                hasher.PrefixLeaf(leaf.VrfOutput.Span, leaf.Commitment.Span, value);
                return Hash32.From(value);
            case PrefixSearchResultType.NonInclusionParent:
                if (commitments.ContainsKey(index))
                {
                    throw Fail($"search {index} was expected to be an inclusion");
                }

                return Hash32.Zero;
            default:
                throw Fail($"search {index} has an unknown result type");
        }
    }

    private static KtVerificationException Fail(string detail) => new(VerificationFailure.InconsistentInput, detail);

    private sealed class State(IReadOnlyList<Hash32> keys, PrefixProof proof, Hash32[] terminals, TreeHasher hasher)
    {
        public int Consumed { get; private set; }

        public Hash32 NextElement(string where)
        {
            if (Consumed >= proof.Elements.Count)
            {
                throw new KtVerificationException(VerificationFailure.ProofTooShort, $"the prefix proof ran out of elements at {where}");
            }

            return proof.Elements[Consumed++];
        }

        /// <summary>The value of the node at <paramref name="depth"/> on the shared path of <paramref name="group"/>.</summary>
        public Hash32 Compute(int depth, Span<int> group)
        {
            int ending = 0;
            foreach (int i in group)
            {
                if (proof.Results[i].Depth == depth)
                {
                    ending++;
                }
            }

            if (ending > 0)
            {
                // A terminal node has no children: every search here must end here, at the same node.
                if (ending != group.Length)
                {
                    throw Fail($"searches end at depth {depth} while others pass through the same node");
                }

                Hash32 value = terminals[group[0]];
                foreach (int i in group)
                {
                    if (!terminals[i].Equals(value))
                    {
                        throw Fail($"searches that end at one node at depth {depth} disagree on its value");
                    }
                }

                return value;
            }

            if (depth >= KeyBits.KeyBitLength)
            {
                throw Fail("a search runs past the last bit of its key");
            }

            int split = PrefixTree.Partition(keys, group, depth);
            Hash32 left = split == 0 ? NextElement($"depth {depth + 1}") : Compute(depth + 1, group[..split]);
            Hash32 right = split == group.Length ? NextElement($"depth {depth + 1}") : Compute(depth + 1, group[split..]);
            Span<byte> parent = stackalloc byte[Hash32.Size];
            hasher.PrefixParent(left.Span, right.Span, parent);
            return Hash32.From(parent);
        }
    }
}
