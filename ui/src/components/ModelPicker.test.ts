import { describe, expect, it } from "vitest";
import { contextText, priceText, shortReason } from "./ModelPicker";

const model = (price?: { input: number; output: number }, context?: number) => ({ id: "p:m", provider: "p", model: "m", price, context });

describe("the model picker's texts", () => {
  it("writes prices per million tokens, free models as free", () => {
    expect(priceText(model({ input: 0.15, output: 0.6 }))).toBe("$0.15 / $0.60 per 1M");
    expect(priceText(model({ input: 3, output: 15 }))).toBe("$3 / $15 per 1M");
    expect(priceText(model({ input: 0, output: 0 }))).toBe("free");
    expect(priceText(model())).toBe("");
  });

  it("writes context sizes in thousands or millions of tokens", () => {
    expect(contextText(model(undefined, 128_000))).toBe("128k context");
    expect(contextText(model(undefined, 1_048_576))).toBe("1M context");
    expect(contextText(model())).toBe("");
  });

  it("says why a provider is missing in a few words", () => {
    expect(shortReason("openai", "no API key for openai: run `floe keys set openai` or set OPENAI_API_KEY")).toBe("no API key");
    expect(shortReason("ollama", "Ollama is not running at 127.0.0.1:11434: start it with `ollama serve`, or choose another model")).toBe(
      "Ollama is not running at 127.0.0.1:11434",
    );
    expect(shortReason("lmstudio", "lmstudio: nothing answers at 127.0.0.1:1234 (connection refused); start the server")).toBe(
      "not running at 127.0.0.1:1234",
    );
  });
});
