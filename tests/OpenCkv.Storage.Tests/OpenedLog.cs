using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// A log store a backend opened for a test, with a second page table over the same storage (a small cache, so
/// reads reach the database) and what closes both.
/// </summary>
public sealed class OpenedLog(ILogStore store, IPrefixPageTable pages, IDisposable closer) : IDisposable
{
    /// <summary>The store.</summary>
    public ILogStore Store { get; } = store;

    /// <summary>A page table over the store's storage.</summary>
    public IPrefixPageTable Pages { get; } = pages;

    /// <inheritdoc />
    public void Dispose() => closer.Dispose();
}
