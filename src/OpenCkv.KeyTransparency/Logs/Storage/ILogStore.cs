using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Logs.Storage;

/// <summary>
/// A sequenced log entry as the operator stores it: the two fields of KT §3.1's log leaf (timestamp and prefix-tree
/// root, the latter inside <see cref="Tree"/>) and the handle that finds that prefix-tree version again.
/// </summary>
public sealed record StoredEntry(ulong Timestamp, PrefixVersion Tree);

/// <summary>
/// One published version of a label: the entry that added it, its search key (KT §4, the VRF output), its
/// commitment (KT §11.7) and what opens it.
/// </summary>
public sealed record PublishedVersion(uint Version, ulong Position, Hash32 VrfOutput, Hash32 Commitment, byte[] Opening, UpdateValue Value);

/// <summary>A label with one version it gained in a step.</summary>
public sealed record PublishedLabelVersion(byte[] Label, PublishedVersion Version);

/// <summary>
/// Everything one sequencing step adds except its signed head, which is signed only after the step committed
/// (<see cref="ILogStore.StoreHead"/>). A store commits it all or nothing: the entry, its log-tree leaf, its label
/// versions and the prefix-tree pages its version adds.
/// </summary>
public sealed record SequencedStep(ulong Position, StoredEntry Entry, Hash32 LogLeaf, IReadOnlyList<PublishedLabelVersion> Versions)
{
    /// <summary>The pages <see cref="IPrefixVersions.Prepare"/> made for the entry's prefix-tree version, none if it adds none.</summary>
    public IReadOnlyList<PrefixPage> NewPages { get; init; } = [];

    /// <summary>The pages the entry's version replaces (<see cref="PrefixInsertion.ReplacedPages"/>), for a store's page cache.</summary>
    public IReadOnlyList<ulong> ReplacedPages { get; init; } = [];
}

/// <summary>
/// The operator's storage port: where entries, label versions and signed heads live, next to the two tree stores
/// (<see cref="IPrefixVersions"/> and <see cref="ILogTreeTable"/>). The log keeps no state of its own beyond caches,
/// so a log reopened over the same store (<see cref="TransparencyLog.Open(Crypto.CryptoSuite, Configuration, ITreeHeadSigner, Crypto.Vrf.VrfKeyPair, ILogStore)"/>) answers exactly as before.
/// Prefix-tree pages of a step are written before <see cref="Commit"/>; a step that never commits leaves only
/// unreferenced immutable pages behind, which no version reads. A committed step's head is signed afterwards and
/// stored by <see cref="StoreHead"/> (DESIGN §7): the signed bytes follow from the committed entries alone, so a
/// writer that takes over after a crash between the two signs the very same head, and no writer ever signs a head
/// for an entry another writer might still commit. <see cref="InMemoryLogStore"/> keeps it all in memory.
/// </summary>
public interface ILogStore
{
    /// <summary>Where the prefix-tree versions live.</summary>
    IPrefixVersions PrefixVersions { get; }

    /// <summary>Where the log tree's balanced heads live; only <see cref="Commit"/> appends to it.</summary>
    ILogTreeTable LogTree { get; }

    /// <summary>The number of committed entries.</summary>
    ulong Size { get; }

    /// <summary>
    /// The number of entries whose signed head is stored: <see cref="Size"/>, or one less while the newest entry
    /// waits for its signature. Only signed entries are served.
    /// </summary>
    ulong SignedSize { get; }

    /// <summary>The entry at <paramref name="position"/>, which is below <see cref="Size"/>.</summary>
    StoredEntry Entry(ulong position);

    /// <summary>The signed head of the tree of <paramref name="size"/> entries (1 ≤ size ≤ <see cref="SignedSize"/>).</summary>
    TreeHead Head(ulong size);

    /// <summary>The label versions the entry at <paramref name="position"/> added, in the order they were staged.</summary>
    IReadOnlyList<PublishedLabelVersion> VersionsAt(ulong position);

    /// <summary>Every committed version of <paramref name="label"/>, in version order; empty when it has none.</summary>
    IReadOnlyList<PublishedVersion> Versions(byte[] label);

    /// <summary>Stores a step at position <see cref="Size"/>, all or nothing, once every earlier entry is signed.</summary>
    /// <exception cref="ArgumentException">The step is not the next position, or the newest entry has no head yet.</exception>
    /// <exception cref="FencedOutException">A store shared by several servers: this writer no longer holds the right to write.</exception>
    void Commit(SequencedStep sequenced);

    /// <summary>
    /// Stores the signed head of the newest entry (<paramref name="head"/>.TreeSize = <see cref="Size"/>). When that
    /// head is already stored — another writer completed it — the stored signature stays: both sign the same bytes.
    /// </summary>
    /// <exception cref="ArgumentException">The head is not for the newest entry.</exception>
    void StoreHead(TreeHead head);

    /// <summary>
    /// Deletes the commitment openings and values of <paramref name="versions"/> of <paramref name="label"/> for good,
    /// in one transaction; their search keys and commitments stay. An erased version reads back with an empty
    /// opening and value.
    /// </summary>
    void EraseOpenings(byte[] label, IReadOnlyList<uint> versions);

    /// <summary>
    /// Forgets cached sizes so that entries and heads other writers committed become visible. A store only one
    /// process writes needs nothing here.
    /// </summary>
    void Refresh()
    {
    }
}

/// <summary>
/// A shared store refused a write because the writer's lease ended or another writer took the log over (DESIGN §7):
/// what this writer was about to commit must not be, and it must stop writing.
/// </summary>
public sealed class FencedOutException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
