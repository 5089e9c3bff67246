"""The lists' pages, one module per part; `gongzhi/lists/urls.py` names them."""
