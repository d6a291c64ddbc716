using System.Security.Cryptography;
using CsCheck;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Trees;

/// <summary>
/// The prefix tree against a slow reference root taken straight from KT §3.3/§11.9 (split the key set on each bit;
/// an empty side is 32 zero bytes, a lone key is its leaf), and batch proofs against it.
/// </summary>
public sealed class PrefixTreeTests
{
    private static readonly TreeHasher Hasher = CryptoSuite.Fastest.TreeHashes;

    internal static Hash32 ReferenceRoot(IReadOnlyList<PrefixLeaf> leaves, int depth = 0)
    {
        if (leaves.Count == 0)
        {
            return Hash32.Zero;
        }

        if (leaves.Count == 1)
        {
            return Hash32.From(SHA256.HashData([0x02, .. leaves[0].VrfOutput.Span, .. leaves[0].Commitment.Span]));
        }

        bool Bit(PrefixLeaf l) => ((l.VrfOutput.Span[depth / 8] >> (7 - (depth % 8))) & 1) == 1;
        Hash32 left = ReferenceRoot(leaves.Where(l => !Bit(l)).ToList(), depth + 1);
        Hash32 right = ReferenceRoot(leaves.Where(Bit).ToList(), depth + 1);
        return Hash32.From(SHA256.HashData([0x03, .. left.Span, .. right.Span]));
    }

    private static readonly Gen<Hash32> Keys = Gen.Byte.Array[32].Select(b => Hash32.From(b));

    /// <summary>Keys that share long prefixes, so single-child parent chains appear often.</summary>
    private static readonly Gen<Hash32> ClusteredKeys =
        Gen.Select(Gen.Int[0, 40], Gen.Byte.Array[32]).Select((sharedBits, tail) =>
        {
            byte[] key = (byte[])tail.Clone();
            for (int bit = 0; bit < sharedBits; bit++)
            {
                key[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            return Hash32.From(key);
        });

    private static readonly Gen<PrefixLeaf[]> LeafSets =
        Gen.OneOf(Keys, ClusteredKeys).Array[0, 60]
            .Select(keys => keys.Distinct().Select((k, i) => new PrefixLeaf(k, Hash32.From(SHA256.HashData(BitConverter.GetBytes(i))))).ToArray());

    [Fact]
    public void Roots_match_the_reference_for_empty_single_and_random_trees_built_in_random_batches()
    {
        Assert.Equal(Hash32.Zero, PrefixTree.Empty(Hasher).Root);
        LeafSets.Select(Gen.Int[1, 5]).Sample((leaves, batches) =>
        {
            PrefixTree tree = PrefixTree.Empty(Hasher);
            foreach (var batch in leaves.Chunk(Math.Max(1, leaves.Length / batches)))
            {
                PrefixTree before = tree;
                Hash32 rootBefore = before.Root;
                tree = tree.Insert(batch);
                Assert.Equal(rootBefore, before.Root); // versions are immutable
            }

            Assert.Equal(ReferenceRoot(leaves), tree.Root);
            Assert.Equal(leaves.Length, tree.Count);
            if (leaves.Length == 1)
            {
                Assert.Equal(Hash32.From(SHA256.HashData([0x02, .. leaves[0].VrfOutput.Span, .. leaves[0].Commitment.Span])), tree.Root);
            }
        }, iter: 300);
    }

    [Fact]
    public void Batch_proofs_recompute_the_root_for_present_and_absent_keys()
    {
        Gen.Select(LeafSets, Gen.OneOf(Keys, ClusteredKeys).Array[0, 8], Gen.Int[0, 8]).Sample((leaves, absent, presentCount) =>
        {
            PrefixTree tree = PrefixTree.Empty(Hasher).Insert(leaves);
            var keys = leaves.Take(presentCount).Select(l => l.VrfOutput).Concat(absent).ToList();
            PrefixProof proof = tree.Search(keys);
            var commitments = new Dictionary<int, Hash32>();
            for (int i = 0; i < keys.Count; i++)
            {
                PrefixLeaf? found = tree.Find(keys[i]);
                Assert.Equal(found is not null, proof.Results[i].ResultType == PrefixSearchResultType.Inclusion);
                if (found is not null)
                {
                    commitments[i] = found.Commitment;
                }
            }

            Assert.Equal(tree.Root, PrefixProofVerifier.ComputeRoot(keys, proof, commitments, Hasher));
            Assert.Equal(proof, TlsCodec.Decode<PrefixProof>(TlsCodec.Encode(proof)));
        }, iter: 300);
    }

    [Fact]
    public void An_inclusion_under_another_commitment_or_a_tampered_proof_never_yields_the_root()
    {
        Gen.Select(LeafSets.Where(l => l.Length >= 2), Gen.Int[0, 1000]).Sample((leaves, pick) =>
        {
            PrefixTree tree = PrefixTree.Empty(Hasher).Insert(leaves);
            PrefixLeaf target = leaves[pick % leaves.Length];
            var keys = new List<Hash32> { target.VrfOutput, Hash32.From(SHA256.HashData(BitConverter.GetBytes(pick))) };
            PrefixProof proof = tree.Search(keys);
            var right = new Dictionary<int, Hash32> { [0] = target.Commitment };
            Assert.Equal(tree.Root, PrefixProofVerifier.ComputeRoot(keys, proof, right, Hasher));

            var wrong = new Dictionary<int, Hash32> { [0] = Hash32.From(SHA256.HashData(target.Commitment.Span)) };
            Assert.False(Accepts(TlsCodec.Encode(proof), keys, wrong, tree.Root));

            byte[] encoded = TlsCodec.Encode(proof);
            for (int i = 0; i < encoded.Length; i++)
            {
                byte[] mutated = (byte[])encoded.Clone();
                mutated[i] ^= 0x04;
                Assert.False(Accepts(mutated, keys, right, tree.Root), $"flipped byte {i} of {encoded.Length}");
            }

            Assert.False(Accepts(encoded[..^1], keys, right, tree.Root));
            Assert.False(Accepts([.. encoded, 0], keys, right, tree.Root));
        }, iter: 60);
    }

    [Fact]
    public void Inserting_a_key_twice_is_refused_and_leaves_the_tree_unchanged()
    {
        var leaf = new PrefixLeaf(Hash32.From(new byte[32]), Hash32.Zero);
        PrefixTree tree = PrefixTree.Empty(Hasher).Insert([leaf]);
        Assert.Throws<ArgumentException>(() => tree.Insert([leaf]));
        Assert.Throws<ArgumentException>(() => PrefixTree.Empty(Hasher).Insert([leaf, leaf]));
        Assert.Equal(1, tree.Count);
    }

    [Fact]
    public void The_empty_tree_proves_non_inclusion_at_depth_zero()
    {
        PrefixTree tree = PrefixTree.Empty(Hasher);
        Hash32 key = Hash32.From(SHA256.HashData("k"u8));
        PrefixProof proof = tree.Search([key]);
        Assert.Equal(PrefixSearchResultType.NonInclusionParent, proof.Results[0].ResultType);
        Assert.Equal(0, proof.Results[0].Depth);
        Assert.Empty(proof.Elements);
        Assert.Equal(Hash32.Zero, PrefixProofVerifier.ComputeRoot([key], proof, new Dictionary<int, Hash32>(), Hasher));
    }

    private static bool Accepts(byte[] encoded, List<Hash32> keys, Dictionary<int, Hash32> commitments, Hash32 root)
    {
        try
        {
            PrefixProof proof = TlsCodec.Decode<PrefixProof>(encoded);
            return PrefixProofVerifier.ComputeRoot(keys, proof, commitments, Hasher) == root;
        }
        catch (KtFormatException)
        {
            return false;
        }
        catch (KtVerificationException)
        {
            return false;
        }
    }
}
