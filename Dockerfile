# Self-hosting the Deep Learning Visual Lab: one container, CPU-only PyTorch, port 8501.
#   docker build -t dl-visual-lab .
#   docker run -p 8501:8501 dl-visual-lab            # downloads MNIST on first use, else the bundled sample
#   docker run -p 8501:8501 -e DLVL_OFFLINE=1 dl-visual-lab   # never touch the network
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
WORKDIR /app

# CPU wheels of torch/torchvision: a few hundred MB instead of several GB of CUDA libraries
COPY requirements.txt .
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt

COPY . .
RUN useradd --create-home lab && mkdir -p data/cache && chown -R lab data/cache
USER lab

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["python", "-m", "streamlit", "run", "Home.py", "--server.address=0.0.0.0", "--server.port=8501", \
     "--server.headless=true"]
