namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// Where the log tree's balanced subtree heads live (KT §3.2: proofs only ever carry balanced heads). Reads are
/// batched by the ranges a proof plan lists (<see cref="LogTreeProof.PlanElements"/>): one round trip per proof.
/// <see cref="InMemoryLogTree"/> is the in-memory implementation.
/// </summary>
public interface ILogTreeTable
{
    /// <summary>The number of leaves.</summary>
    ulong Size { get; }

    /// <summary>Appends a leaf value and the heads of every balanced subtree it completes.</summary>
    void Append(Hash32 leaf);

    /// <summary>The heads of complete balanced subtrees, in the order asked for, in one round trip.</summary>
    IReadOnlyList<Hash32> ReadBalanced(IReadOnlyList<LogRange> ranges);
}
