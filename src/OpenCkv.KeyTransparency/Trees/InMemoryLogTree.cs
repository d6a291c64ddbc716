using OpenCkv.Crypto.Hashing;

namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// The log tree's balanced subtree heads kept in memory, level by level (level k holds the heads of the aligned
/// subtrees of 2^k leaves), which is everything a prover needs: proofs only ever contain balanced heads (KT §3.2).
/// Appends are single-writer; reads of a size already appended may run concurrently with an append.
/// </summary>
public sealed class InMemoryLogTree : ILogTreeTable
{
    private readonly TreeHasher _hasher;
    private readonly List<List<Hash32>> _levels = [[]];
    private readonly Lock _gate = new();

    /// <summary>An empty log tree.</summary>
    public InMemoryLogTree(TreeHasher hasher) => _hasher = hasher ?? throw new ArgumentNullException(nameof(hasher));

    /// <summary>The number of leaves.</summary>
    public ulong Size
    {
        get
        {
            lock (_gate)
            {
                return (ulong)_levels[0].Count;
            }
        }
    }

    /// <summary>Appends a leaf value and completes every balanced subtree it closes.</summary>
    public void Append(Hash32 leaf)
    {
        lock (_gate)
        {
            _levels[0].Add(leaf);
            var buffer = new byte[Hash32.Size];
            for (int level = 0; _levels[level].Count % 2 == 0; level++)
            {
                if (_levels.Count == level + 1)
                {
                    _levels.Add([]);
                }

                List<Hash32> nodes = _levels[level];
                _hasher.LogParent(level == 0, nodes[^2].Span, level == 0, nodes[^1].Span, buffer);
                _levels[level + 1].Add(Hash32.From(buffer));
            }
        }
    }

    /// <summary>The head of a balanced subtree that is complete in the current tree.</summary>
    public Hash32 Balanced(LogRange range)
    {
        if (!range.IsBalanced)
        {
            throw new ArgumentException($"{range} is not a balanced subtree.", nameof(range));
        }

        int level = System.Numerics.BitOperations.Log2(range.Size);
        lock (_gate)
        {
            List<Hash32>? nodes = level < _levels.Count ? _levels[level] : null;
            ulong index = range.Start >> level;
            if (nodes is null || index >= (ulong)nodes.Count || range.Start % range.Size != 0)
            {
                throw new ArgumentException($"{range} is not complete in a tree of {Size} leaves.", nameof(range));
            }

            return nodes[(int)index];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Hash32> ReadBalanced(IReadOnlyList<LogRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        return ranges.Select(Balanced).ToArray();
    }

    /// <summary>The value of leaf <paramref name="index"/>.</summary>
    public Hash32 Leaf(ulong index) => Balanced(new LogRange(index, 1));

    /// <summary>The root of the tree when it had <paramref name="size"/> leaves.</summary>
    public Hash32 Root(ulong size) => LogTreeProof.Root(this, size, _hasher);

    /// <summary>The elements of a proof of the given shape, read from this tree.</summary>
    public IReadOnlyList<Hash32> ProofElements(LogProofShape shape) => LogTreeProof.Elements(this, shape);
}
