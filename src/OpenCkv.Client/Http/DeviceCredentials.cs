using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Client.Http;

/// <summary>What a device signs requests with: its account and device ids and its request key.</summary>
public sealed record DeviceCredentials(byte[] AccountId, byte[] DeviceId, EcdsaP256PrivateKey RequestKey);
