"""The look: a calm, high-contrast theme, and the styles of answers, warning boxes, source chips, step
cards and the library table (class names from render.py)."""
from __future__ import annotations

CSS = """
.gradio-container {max-width: 1280px !important; margin: auto}
#ma-title, #ma-title * {font-size: 26px !important; font-weight: 700 !important; color: var(--body-text-color) !important}
#ma-subtitle, #ma-subtitle * {font-size: 15px !important; color: var(--body-text-color-subdued) !important}
#ma-header {gap: 0 !important}
.ma-h3, .ma-h3 * {font-size: 17px !important; font-weight: 650 !important; color: var(--body-text-color) !important}
.ma-answer {font-size: 16px; line-height: 1.55}
.ma-warn {border: 2px solid #c62828; background: #fdecea; color: #4a0d0d; border-radius: 6px; padding: 6px 10px; margin: 8px 0;
          font-size: 14px; line-height: 1.45}
.ma-warn.danger {border-width: 3px; background: #fbd5d2}
.ma-warn.caution {border-color: #d98200; background: #fff4dc; color: #4a3000}
.ma-warn.note {border-color: #3b6fc9; background: #edf3ff; color: #0d254a}
.ma-warn b {letter-spacing: .02em; margin-right: 4px}
.ma-src {color: #5b6270; font-size: 12px; margin-top: 3px}
.ma-warn .ma-src {color: inherit; opacity: .75}
.ma-sources {margin-top: 10px; font-size: 13px; color: #5b6270}
.ma-chip {display: inline-block; border: 1px solid #9db3d8; background: #eef3fb; color: #1d3b6e; border-radius: 999px;
          padding: 1px 9px; margin: 2px 3px; font-size: 12px}
.ma-refusal {border: 2px solid #8a94a6; background: #f3f5f8; color: #20262e; border-radius: 6px; padding: 8px 12px}
#cite-chips .wrap {gap: 6px !important}
#cite-chips label {border-radius: 999px !important; border: 1px solid #9db3d8 !important; background: #eef3fb !important;
                   color: #1d3b6e !important; padding: 3px 12px !important; font-size: 13px !important; cursor: pointer}
#cite-chips label.selected {background: #1d4ed8 !important; color: #fff !important; border-color: #1d4ed8 !important}
#cite-chips input {display: none}
.ma-passage {border-left: 4px solid #1d4ed8; padding: 6px 12px; background: var(--block-background-fill)}
.ma-passage .ma-doc {font-weight: 600} .ma-passage .ma-section {color: #5b6270; font-size: 13px; margin-bottom: 6px}
.ma-passage .ma-text {font-size: 14px; line-height: 1.5; max-height: 260px; overflow-y: auto}
.ma-passage mark {background: #ffe066; color: #111; padding: 0 1px}
.ma-card {font-size: 15px; line-height: 1.5; max-width: 860px}
.ma-card h2 {margin: 4px 0} .ma-card h3 {margin: 18px 0 6px; border-bottom: 1px solid #d5dae3; padding-bottom: 2px}
.ma-meta {color: #4b5261; font-size: 13px}
.ma-tools {list-style: none; padding-left: 0; columns: 2} .ma-tools li {margin: 3px 0; break-inside: avoid}
.ma-kind {display: inline-block; min-width: 72px; text-align: center; font-size: 11px; border-radius: 4px; padding: 0 5px;
          background: #e6ebf3; color: #33405a; text-transform: uppercase}
.ma-kind.part {background: #e3f3e6; color: #1f5130} .ma-kind.consumable {background: #f3ece3; color: #5a3d14}
.ma-pn {color: #5b6270; font-size: 13px}
.ma-steps {list-style: none; padding-left: 0; margin: 0}
.ma-step {display: flex; gap: 12px; align-items: flex-start; padding: 8px 0; border-bottom: 1px solid #eceff4}
.ma-num {flex: 0 0 34px; height: 34px; border-radius: 50%; background: #1d4ed8; color: #fff; font-weight: 700;
         display: flex; align-items: center; justify-content: center; font-size: 16px}
.ma-part {font-style: italic; margin: 10px 0 4px} .ma-instr {font-weight: 600; font-size: 16px} .ma-detail, .ma-check, .ma-specs {margin-top: 3px}
.ma-specv {display: inline-block; font-weight: 700; border: 1px solid #1d4ed8; color: #1d4ed8; border-radius: 4px; padding: 0 6px; margin-right: 6px}
.ma-check {color: #1f6b35} .ma-note {color: #0d254a; background: #edf3ff; border-radius: 4px; padding: 3px 8px; margin-top: 4px}
.ma-docs {border-collapse: collapse; width: 100%; font-size: 14px}
.ma-docs th, .ma-docs td {border-bottom: 1px solid #d5dae3; padding: 5px 8px; text-align: left}
.ma-docs th {background: #f1f4f9; color: #20262e}
.ma-errors li, .ma-upload li {margin: 3px 0} .ma-upload .bad {color: #a01616} .ma-upload .ok {color: #1f6b35}
.ma-empty {color: #5b6270; font-style: italic}
#ma-loading {display: none !important}
.ma-library {font-size: 14px; color: var(--body-text-color); margin-top: 2px}
.ma-library .ma-lib-name {font-weight: 650}
#ma-lang {max-width: 220px; margin-left: auto}
#ma-examples {gap: 4px !important}
.ma-examples-label, .ma-examples-label * {font-size: 13px !important; color: var(--body-text-color-subdued) !important}
.ma-example {white-space: normal !important; text-align: left !important; justify-content: flex-start !important;
             font-weight: 500 !important; line-height: 1.3 !important}
"""


def theme():
    import gradio as gr

    # system fonts only: a web font would be fetched from the internet, which plant networks often block
    return gr.themes.Soft(primary_hue="blue", neutral_hue="slate", font=["system-ui", "Noto Sans CJK SC", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"])
