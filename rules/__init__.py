"""Rule packs shipped with wenze (YAML data, no code)."""
