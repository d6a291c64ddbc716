using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>An in-memory contact-monitoring log with fixed test keys.</summary>
internal static class LogFixture
{
    public static readonly CryptoSuite Suite = CryptoSuite.Fastest;

    /// <summary>A fresh log; <paramref name="paged"/> keeps its prefix-tree versions as pages in a page table.</summary>
    public static TransparencyLog NewLog(
        ulong reasonableMonitoringWindow = 1_000, ulong maxBehind = 10_000_000, ulong? maximumLifetime = null, bool paged = false,
        (EcdsaP256PrivateKey Signing, VrfKeyPair Vrf)? keys = null)
    {
        EcdsaP256PrivateKey signingKey = keys?.Signing ?? EcdsaP256PrivateKey.Generate();
        VrfKeyPair vrfKey = keys?.Vrf ?? Suite.Vrf.GenerateKeyPair();
        var configuration = new Configuration
        {
            Mode = DeploymentMode.ContactMonitoring,
            SignaturePublicKey = signingKey.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrfKey.PublicKey.ToArray(),
            MaxAhead = 60_000,
            MaxBehind = maxBehind,
            ReasonableMonitoringWindow = reasonableMonitoringWindow,
            MaximumLifetime = maximumLifetime,
        };
        IPrefixVersions versions = paged
            ? new PagedPrefixVersions(Suite.TreeHashes, new InMemoryPrefixPageTable())
            : new InMemoryPrefixVersions(Suite.TreeHashes);
        return TransparencyLog.Create(Suite, configuration, signingKey, vrfKey, new InMemoryLogStore(Suite.TreeHashes, versions));
    }

    public static byte[] Label(int i) => System.Text.Encoding.ASCII.GetBytes($"mailto:user{i}@example.com");

    /// <summary>
    /// Appends <paramref name="entries"/> entries, each publishing one version (its index as the value) of one of
    /// <paramref name="labels"/> labels in turn, <paramref name="step"/> ms apart; returns the last timestamp.
    /// </summary>
    public static ulong PublishRoundRobin(TransparencyLog log, int entries, int labels, ulong start, ulong step, int firstValue = 0)
    {
        ulong now = start;
        for (int i = 0; i < entries; i++)
        {
            log.Stage(Label(i % labels), BitConverter.GetBytes(firstValue + i));
            log.Sequence(now += step);
        }

        return now;
    }
}
